package io.vxmesh.gossip;

/** Joining or running the mesh failed in a way the operator must fix (message says how). */
public final class MembershipException extends Exception {
  public MembershipException(String message) {
    super(message);
  }

  public MembershipException(String message, Throwable cause) {
    super(message, cause);
  }
}
