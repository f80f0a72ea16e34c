package io.vxmesh.swim;

/** Where a member stands in one node's view. */
public enum MemberStatus {
  ALIVE,
  /** Missed a probe; declared dead unless it refutes before its suspicion timer fires. */
  SUSPECT,
  /** Declared failed by the protocol. */
  DEAD,
  /** Left on purpose (a dead message from itself). */
  LEFT
}
