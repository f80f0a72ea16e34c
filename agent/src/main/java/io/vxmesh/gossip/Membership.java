package io.vxmesh.gossip;

import java.time.Duration;

/**
 * The mesh as vxmesh needs it, independent of Atomix. Implementations are thread-safe.
 *
 * <p>Threading contract: listeners run on a gossip thread, must be quick and must not block;
 * they only signal that {@link #view()} may have changed.
 */
public interface Membership extends AutoCloseable {

  /**
   * Starts gossip and joins the seeds (or starts a new mesh when there are none). Returns once
   * the local member is up; the view becomes {@code complete} later.
   *
   * @throws MembershipException when joining is impossible, e.g. the node name is already alive
   *     at another address
   */
  void start() throws MembershipException;

  /** The current state of every known member. */
  MembershipView view();

  /** Registers a listener woken (without arguments) whenever the view may have changed. */
  void addListener(Runnable listener);

  /** Replaces this node's announcement (generation is bumped by the implementation). */
  void announce(Announced self);

  /** Announces LEAVING, waits up to {@code maxWait} for it to spread, then stops gossip. */
  void leave(Duration maxWait);

  /** What {@link #forceLeave} did: {@code done} false when refused, {@code message} says why or what. */
  record ForceLeave(boolean done, String message) {}

  /**
   * Forgets a FAILED or LEAVING member now, in this agent's view only; with {@code prune} also an
   * unreachable one not yet declared failed. A reachable member (or self, or an unknown name) is
   * refused. The member is listed again once this agent sees it reachable.
   */
  ForceLeave forceLeave(String node, boolean prune);

  /**
   * Replaces the cluster keys (key rotation, on reload): from now on this agent signs with the
   * new primary key (its announcement is re-signed at once) and accepts every key of
   * {@code keyring}; peers' announcements are verified again, so one signed only with a removed
   * key becomes UNTRUSTED.
   */
  void useKeyring(Keyring keyring);

  /** The keys in use, and per key how many peers were last seen signing with it. */
  KeyringStatus keyring();

  /** Counters for operators: gossip packets dropped before decoding, by source. */
  GossipStats stats();

  /** Stops gossip without leaving (peers see a restart or a crash). Idempotent. */
  @Override
  void close();
}
