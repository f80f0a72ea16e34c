package io.vxmesh.gossip;

import io.vxmesh.net.HostPort;

/**
 * One member as vxmesh currently sees it.
 *
 * @param name node name (the Atomix member id)
 * @param address gossip address
 * @param status see {@link MemberStatus}; only programmable members may reach the datapath
 * @param announcement the decoded announcement; non-null only when its signature verified and
 *     its fields are well-formed (it may still be inconsistent: status UNTRUSTED or CONFLICT)
 * @param reason why the status is not plain ALIVE ("" otherwise), for operators
 * @param self true for the local node
 * @param seenUntilMs 0 while the member is reachable (or self); otherwise when it was last
 *     reachable (clock ms; when first listed if never). Frozen while unreachable, so the view
 *     does not change every tick
 */
public record MemberState(
    String name, HostPort address, MemberStatus status, Announced announcement, String reason, boolean self,
    long seenUntilMs) {
  public MemberState {
    reason = reason == null ? "" : reason;
  }

  /** A member reachable now (or self): {@link #seenUntilMs()} 0. */
  public MemberState(String name, HostPort address, MemberStatus status, Announced announcement, String reason, boolean self) {
    this(name, address, status, announcement, reason, self, 0);
  }
}
