package io.vxmesh.gossip;

import java.util.Map;

/**
 * @param rejectedPackets gossip datagrams/messages dropped before decoding (bad MAC, garbage)
 * @param rejectedBySource the same, by the real source IP (the socket peer, never an address from inside a message)
 * @param rejectedAnnouncements member announcements that failed to decode or verify
 */
public record GossipStats(long rejectedPackets, Map<String, Long> rejectedBySource, long rejectedAnnouncements) {
  public GossipStats {
    rejectedBySource = Map.copyOf(rejectedBySource);
  }
}
