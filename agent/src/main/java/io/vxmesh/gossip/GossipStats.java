package io.vxmesh.gossip;

import java.util.Map;

/**
 * Counters of the gossip layer, read by the Status API and the Prometheus endpoint. All grow
 * monotonically for the life of the process.
 *
 * @param rejectedPackets gossip datagrams/messages dropped before decoding (bad MAC, garbage)
 * @param rejectedBySource the same, by the real source IP (the socket peer, never an address from inside a message)
 * @param rejectedAnnouncements member announcements that failed to decode or verify
 * @param rejectedPacketsByReason {@code rejectedPackets} by reason: {@code malformed}, {@code stale}
 *     (timestamp outside the replay window), {@code bad_mac} (another key or forged),
 *     {@code unknown_subject}, {@code too_large}, {@code over_budget}, {@code timeout},
 *     {@code connection_refused} (the TCP transport's limits, see {@link Rejections})
 * @param rejectedAnnouncementsByReason {@code rejectedAnnouncements} by reason: {@code missing},
 *     {@code too_large}, {@code unsigned}, {@code bad_signature}, {@code malformed}
 * @param traffic authenticated frames in and out, keyed {@code transport/direction/unit}:
 *     transport {@code udp} (gossip) or {@code tcp} (probes, sync, requests and responses),
 *     direction {@code in}/{@code out}, unit {@code messages}/{@code bytes} (frame bytes, without
 *     the transport's own framing); received frames are counted before they are authenticated
 * @param refusedMembers member updates refused before SWIM stored them: member limit reached
 *     ({@code [gossip] max_members}) or properties too large
 */
public record GossipStats(long rejectedPackets, Map<String, Long> rejectedBySource, long rejectedAnnouncements,
    Map<String, Long> rejectedPacketsByReason, Map<String, Long> rejectedAnnouncementsByReason,
    Map<String, Long> traffic, long refusedMembers) {
  public GossipStats {
    rejectedBySource = Map.copyOf(rejectedBySource);
    rejectedPacketsByReason = Map.copyOf(rejectedPacketsByReason);
    rejectedAnnouncementsByReason = Map.copyOf(rejectedAnnouncementsByReason);
    traffic = Map.copyOf(traffic);
  }

  /** Totals only, nothing broken down by reason or transport. */
  public GossipStats(long rejectedPackets, Map<String, Long> rejectedBySource, long rejectedAnnouncements) {
    this(rejectedPackets, rejectedBySource, rejectedAnnouncements, Map.of(), Map.of(), Map.of(), 0);
  }
}
