package io.vxmesh.gossip;

import io.vxmesh.net.HostPort;

/**
 * Decides which gossip messages the transports ({@link GossipMessaging},
 * {@link AuthenticatedUnicast}) let through, before they are sealed (outgoing) or opened
 * (incoming). A message stopped here is dropped silently: not counted as rejected, the sender of
 * a request sees a connection failure.
 *
 * <p>The agent passes {@link #PASS_ALL}. Tests pass their own to cut links or lose message types
 * without root (partitions, a lost join sync), as memberlist's tests run on a mock transport.
 *
 * <p>Threading: called concurrently from Netty's event loops, the UDP receive thread and every
 * sender; must be thread-safe, fast and must not block.
 */
interface PacketFilter {
  /** Lets every message through. */
  PacketFilter PASS_ALL = (peer, type) -> true;

  /**
   * Whether a message of {@code type} (Atomix's subject, e.g. {@code atomix-membership-probe})
   * to or from {@code peer} (its gossip address) goes through.
   */
  boolean passes(HostPort peer, String type);
}
