package io.vxmesh.gossip;

import java.util.Locale;

/** What vxmesh makes of a member. Only {@link #programmable()} members reach the datapath. */
public enum MemberStatus {
  /** Reachable, announcement verified and consistent. */
  ALIVE,
  /** SWIM suspects it (missed probes), or it announced a restart and is within its grace period. */
  SUSPECT,
  /** It announced a deliberate departure: peers remove it at once. */
  LEAVING,
  /** Declared dead by failure detection; kept in the list for a while for operators. */
  FAILED,
  /**
   * Announcement missing, undecodable or not signed with the cluster key; or inconsistent (its
   * host address answered as another node, a pod CIDR over the underlay, ...).
   */
  UNTRUSTED,
  /** Signed and consistent, but its host address has not answered this node's challenge yet. */
  UNPROVEN,
  /** Signed, but claims something another member holds (pod CIDR, VTEP MAC/IP; docs/claims.md). */
  CONFLICT;

  /** Lower-case name as printed by the CLI and the API ("alive", "conflict", ...). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True for the states whose announcement may be programmed into the kernel. */
  public boolean programmable() {
    return this == ALIVE || this == SUSPECT;
  }
}
