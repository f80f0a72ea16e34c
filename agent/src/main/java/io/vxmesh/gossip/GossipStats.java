package io.vxmesh.gossip;

import java.util.Map;

/**
 * @param rejectedPackets gossip datagrams/messages dropped before decoding (bad MAC, garbage)
 * @param rejectedBySource the same, by source address
 * @param rejectedAnnouncements member announcements that failed to decode or verify
 * @param refusedMembers member updates refused before SWIM stored them: member limit reached
 *     ({@code [gossip] max_members}) or properties too large
 */
public record GossipStats(long rejectedPackets, Map<String, Long> rejectedBySource, long rejectedAnnouncements,
    long refusedMembers) {
  public GossipStats {
    rejectedBySource = Map.copyOf(rejectedBySource);
  }

  public GossipStats(long rejectedPackets, Map<String, Long> rejectedBySource, long rejectedAnnouncements) {
    this(rejectedPackets, rejectedBySource, rejectedAnnouncements, 0);
  }
}
