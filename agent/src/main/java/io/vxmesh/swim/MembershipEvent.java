package io.vxmesh.swim;

/** What changed in a node's view; delivered to a {@link MembershipListener} on the scheduler's thread. */
public sealed interface MembershipEvent {
  Member member();

  /** A member not known (or known dead or left) is alive. */
  record Joined(Member member) implements MembershipEvent {}

  /** An alive member's announcement changed. */
  record Updated(Member member) implements MembershipEvent {}

  /** An alive member missed probes and is suspected; it may still refute. */
  record Suspected(Member member) implements MembershipEvent {}

  /** A suspect member refuted the suspicion with a higher incarnation. */
  record Refuted(Member member) implements MembershipEvent {}

  /** The protocol declared the member failed. */
  record Failed(Member member) implements MembershipEvent {}

  /** The member left on purpose. */
  record Left(Member member) implements MembershipEvent {}
}
