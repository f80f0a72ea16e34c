package io.vxmesh.swim;

/**
 * Receives a node's view changes, on the scheduler's thread, synchronously: keep it short and
 * never call back into the node from it.
 */
@FunctionalInterface
public interface MembershipListener {
  void onEvent(MembershipEvent event);
}
