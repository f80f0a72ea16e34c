package io.vxmesh.swim;

import java.time.Duration;

/**
 * Tunables of the protocol. Presets: {@link #lan()} (memberlist's LAN defaults, for comparison)
 * and {@link #tuned()} (vxmesh's default, sized for pod networks of 10 to 10,000 hosts on a LAN);
 * {@link #atomixLike()} imitates Atomix 3's SWIM dissemination as a baseline for the simulator.
 *
 * @param probeInterval one probe per this (stretched by local health)
 * @param probeTimeout wait this long for a direct ack before asking others to probe
 * @param indirectChecks how many members probe indirectly for us
 * @param gossipInterval broadcasts go out this often ...
 * @param gossipNodes ... to this many random members
 * @param gossipToTheDead keep gossiping to a dead member this long, so it can learn and refute
 * @param retransmitMult a broadcast is sent retransmitMult·ceil(log10(N+1)) times
 * @param fixedTransmits if > 0, every broadcast is sent exactly this many times instead
 * @param piggyback whether broadcasts ride on probe packets too
 * @param suspicionMult minimum suspicion timeout = suspicionMult·log10(max(N,1))·probeInterval
 * @param suspicionMaxMult maximum (no confirmations) = suspicionMaxMult·minimum
 * @param suspicionConfirmations independent confirmations that bring the timeout to its minimum
 * @param awarenessMax local health multiplier cap (1 = no Lifeguard awareness)
 * @param pushPullInterval full state sync with a random member this often (scaled above 32
 *     members); zero disables it
 * @param maxPacketBytes datagram size limit (compound packets are filled up to it)
 * @param joinTimeout a join push-pull unanswered this long moves on to the next seed
 * @param reapAfter a dead or left member is forgotten this long after its state changed
 * @param reconnectInterval ping one random failed member this often and sync with it if it
 *     answers (heals partitions); zero disables it
 * @param joinFanout a seed answering a join sends the joiner's alive straight to this many
 *     random live members besides queueing it for gossip, so a new member is known to all of a
 *     small mesh in one round trip instead of a gossip hop per tick; zero disables it
 */
public record SwimConfig(
    Duration probeInterval,
    Duration probeTimeout,
    int indirectChecks,
    Duration gossipInterval,
    int gossipNodes,
    Duration gossipToTheDead,
    int retransmitMult,
    int fixedTransmits,
    boolean piggyback,
    double suspicionMult,
    double suspicionMaxMult,
    int suspicionConfirmations,
    int awarenessMax,
    Duration pushPullInterval,
    int maxPacketBytes,
    Duration joinTimeout,
    Duration reapAfter,
    Duration reconnectInterval,
    int joinFanout) {

  public SwimConfig {
    positive(probeInterval, "probeInterval");
    positive(probeTimeout, "probeTimeout");
    positive(gossipInterval, "gossipInterval");
    positive(joinTimeout, "joinTimeout");
    if (probeTimeout.compareTo(probeInterval) >= 0) {
      throw new IllegalArgumentException("probeTimeout must be shorter than probeInterval");
    }
    if (indirectChecks < 0 || gossipNodes < 1 || retransmitMult < 1 || fixedTransmits < 0 || awarenessMax < 1
        || suspicionConfirmations < 0 || suspicionMult <= 0 || suspicionMaxMult < 1 || joinFanout < 0) {
      throw new IllegalArgumentException("bad protocol counts: " + this);
    }
    if (maxPacketBytes < 512) {
      throw new IllegalArgumentException("maxPacketBytes must be >= 512, got " + maxPacketBytes);
    }
    if (pushPullInterval.isNegative() || gossipToTheDead.isNegative() || reapAfter.isNegative()
        || reconnectInterval.isNegative()) {
      throw new IllegalArgumentException("negative duration: " + this);
    }
  }

  private static void positive(Duration d, String what) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
  }

  /** memberlist's DefaultLANConfig (1 s probes, 200 ms gossip, 30 s push-pull, Lifeguard on). */
  public static SwimConfig lan() {
    return new SwimConfig(Duration.ofSeconds(1), Duration.ofMillis(500), 3, Duration.ofMillis(200), 3,
        Duration.ofSeconds(30), 4, 0, true, 4, 6, 2, 8, Duration.ofSeconds(30), 1400, Duration.ofSeconds(2),
        Duration.ofSeconds(30), Duration.ZERO, 0);
  }

  /**
   * vxmesh's default: memberlist's "tuned" profile of issue 11 (probe 200 ms / timeout 100 ms,
   * gossip 100 ms, retransmit 4, push-pull 30 s) but gossiping to 4 members, not 3: 1,000 hosts
   * starting at 20 a second need ~62 KB/s of alive rumours per member (16 sends of ~195 B per
   * join), more than 3 × 1,400 B × 10/s plus piggybacking carries; idle members send no gossip
   * at all, so the steady cost is unchanged. Lifeguard suspicion starts at
   * 3x its minimum and reaches the minimum after 3 confirmations: the minimum (2·log10(N)·200 ms,
   * 1.2 s at 1,000) bounds crash detection, the maximum protects a member that is slow to
   * refute. Suspects are also told directly, so an alive member refutes within a round trip.
   * Failed members are kept an hour and pinged every 10 s per member, so healed partitions
   * merge (memberlist leaves that to Serf). A seed tells 32 members of a joiner at once: a
   * mesh of up to 33 hosts learns of it in one round trip, a larger one in one more gossip tick
   * (bench join: the gossip hops were half of a join's time at 20 hosts).
   */
  public static SwimConfig tuned() {
    return new SwimConfig(Duration.ofMillis(200), Duration.ofMillis(100), 3, Duration.ofMillis(100), 4,
        Duration.ofSeconds(10), 4, 0, true, 2, 3, 3, 8, Duration.ofSeconds(30), 1400, Duration.ofSeconds(1),
        Duration.ofHours(1), Duration.ofSeconds(10), 32);
  }

  /**
   * Atomix 3.1's SWIM dissemination as a baseline: every update forwarded once to 2 random
   * members (gossip 250 ms), not piggybacked, no push-pull, fixed suspicion (10 s at 1,000
   * members), no awareness.
   */
  public static SwimConfig atomixLike() {
    return new SwimConfig(Duration.ofSeconds(1), Duration.ofMillis(500), 3, Duration.ofMillis(250), 2,
        Duration.ofSeconds(10), 1, 2, false, 10.0 / 3, 1, 0, 1, Duration.ZERO, 1400, Duration.ofSeconds(2),
        Duration.ofSeconds(60), Duration.ZERO, 0);
  }

  /** How many times a broadcast is sent in a cluster of n. */
  public int transmitLimit(int n) {
    return fixedTransmits > 0 ? fixedTransmits : retransmitMult * (int) Math.ceil(Math.log10(n + 1.0));
  }

  /** Push-pull interval for n members: the base up to 32, then one more multiple per doubling. */
  public long pushPullNanos(int n) {
    long base = pushPullInterval.toNanos();
    if (n <= 32) {
      return base;
    }
    double doublings = Math.ceil(Math.log(n) / Math.log(2) - 5);
    return (long) (base * (doublings + 1));
  }

  /** Suspicion minimum for n members. */
  public long suspicionMinNanos(int n) {
    double scale = Math.max(1.0, Math.log10(Math.max(1.0, n)));
    return (long) (suspicionMult * scale * probeInterval.toNanos());
  }
}
