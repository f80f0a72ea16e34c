package io.vxmesh.gossip;

/**
 * Whether a member's gossip address (host IP and port) has been shown to belong to it: this node
 * sent a challenge there over the authenticated transport and the answer named the member
 * (docs/claims.md). Another agent announcing someone else's address gets that someone's name
 * back, so it cannot borrow a live host's reachability.
 *
 * @param state PROVEN, PENDING (no answer yet) or REFUTED (answered by another node)
 * @param detail for REFUTED, the name that answered; otherwise empty
 */
public record HostProof(State state, String detail) {
  public static final HostProof PROVEN = new HostProof(State.PROVEN, "");
  public static final HostProof PENDING = new HostProof(State.PENDING, "");

  public enum State { PROVEN, PENDING, REFUTED }

  public HostProof {
    detail = detail == null ? "" : detail;
  }

  static HostProof refuted(String answeredBy) {
    return new HostProof(State.REFUTED, answeredBy);
  }
}
