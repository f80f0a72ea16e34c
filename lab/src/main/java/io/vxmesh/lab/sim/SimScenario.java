package io.vxmesh.lab.sim;

import io.vxmesh.swim.MembershipEvent;
import io.vxmesh.swim.SwimConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The {@code bench sim} scenario on a {@link SimCluster}, all in virtual time:
 * <ol>
 *   <li><b>join</b>: {@code seeds} members start at 0; every other member starts at a random time
 *       within the join window and joins through the seeds (in a random rotation). A member's join
 *       time: from its start until every member started before it lists it alive.
 *   <li><b>spread</b>: once every view is complete (checked each second from 5 s after the
 *       window), {@code changes} members in turn (3 s apart) publish a new announcement; per
 *       change, the time until 99 % and 100 % of the live members hold it.
 *   <li><b>crash</b>: a member goes silent for good; per live member, the time until it declares
 *       that member failed.
 *   <li><b>freeze</b>: 15 s later another member stops (SIGSTOP) for {@code freezeFor}; per live
 *       member, the time until it declares it failed; after the thaw, the time until every live
 *       member lists it alive again (it refutes with a higher incarnation).
 *   <li><b>steady</b>: 20 s after the thaw, {@code steady} of nothing happening: bytes sent per
 *       member per second (headers included) are measured over this window.
 * </ol>
 * Throughout, a "failed" verdict on a member that is live at that moment is a false failure;
 * a suspicion of one is a false suspicion (harmless if refuted, counted for information).
 */
public final class SimScenario {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;

  /** The scenario's knobs; {@link #defaults} are those of {@code bench sim}. */
  public record Options(int members, double loss, long seed, int seeds, long joinWindowNanos, int changes,
      long freezeForNanos, long steadyNanos, int announcementBytes, SwimConfig config, long viewsWaitNanos,
      boolean spreadOnly, boolean prejoined) {
    public Options {
      if (members < 8 || seeds < 1 || seeds >= members || changes < 1 || steadyNanos < 0 || freezeForNanos <= 0
          || joinWindowNanos <= 0 || viewsWaitNanos < 0) {
        throw new IllegalArgumentException("bad scenario options: " + this);
      }
    }

    /**
     * Members start spread over max(10 s, 50 ms per member) — a rolling start at 20 joins per
     * second once past 200 members: every join is an alive broadcast every member retransmits
     * {@code transmitLimit} times, and faster starts saturate the gossip (see BENCHMARKS.md).
     */
    public static Options defaults(int members, double loss, long seed) {
      SwimConfig tuned = SwimConfig.tuned();
      return new Options(members, loss, seed, 3, Math.max(10 * S, members * 50 * MS), 10, 10 * S, 600 * S, 160,
          tuned, tuned.pushPullNanos(members), false, false);
    }

    public Options withConfig(SwimConfig c) {
      return copy(joinWindowNanos, steadyNanos, c, viewsWaitNanos, spreadOnly);
    }

    public Options withSteady(long nanos) {
      return copy(joinWindowNanos, nanos, config, viewsWaitNanos, spreadOnly);
    }

    /** Members start over {@code nanos} instead of max(10 s, 50 ms per member). */
    public Options withJoinWindow(long nanos) {
      return copy(nanos, steadyNanos, config, viewsWaitNanos, spreadOnly);
    }

    /** Waits at most {@code nanos} (virtual) for complete views before the changes, not one push-pull interval. */
    public Options withViewsWait(long nanos) {
      return copy(joinWindowNanos, steadyNanos, config, nanos, spreadOnly);
    }

    /** Stops after the spread phase: no crash, freeze or steady window (big runs). */
    public Options withSpreadOnly() {
      return copy(joinWindowNanos, 0, config, viewsWaitNanos, true);
    }

    /** {@code n} announcement changes (3 s apart) instead of 10. */
    public Options withChanges(int n) {
      return new Options(members, loss, seed, seeds, joinWindowNanos, n, freezeForNanos, steadyNanos, announcementBytes,
          config, viewsWaitNanos, spreadOnly, prejoined);
    }

    /**
     * Spread only, on views that are complete from the start: every member starts at 0 with the
     * whole table (as a join answer, nothing gossiped), so no join is measured. For 10,000
     * members, whose 20-per-second join ramp takes hours to simulate on a small box.
     */
    public Options withPrejoined() {
      return new Options(members, loss, seed, seeds, joinWindowNanos, changes, freezeForNanos, 0, announcementBytes,
          config, viewsWaitNanos, true, true);
    }

    private Options copy(long joinWindow, long steady, SwimConfig c, long viewsWait, boolean spread) {
      return new Options(members, loss, seed, seeds, joinWindow, changes, freezeForNanos, steady, announcementBytes, c,
          viewsWait, spread, prejoined);
    }
  }

  /**
   * What was measured; times in ms, NaN = never happened within the run (not measured).
   *
   * @param joinMs per member started after the seeds
   * @param spread99Ms per change: until 99 % of the live members held it
   * @param spread100Ms per change: until all live members held it
   * @param crashDetectMs per live member: until it declared the crashed member failed
   * @param freezeDetectMs per live member: until it declared the frozen member failed
   * @param thawRejoinMs from the thaw until every live member listed the thawed member alive
   * @param falseFailures failed verdicts on members live at the time
   * @param falseSuspicions accusations (member and incarnation) of members live at the time
   * @param bytesPerMemberS mean bytes sent per live member per second in the steady window
   * @param maxBytesPerMemberS the busiest member's
   * @param afterJoin disagreement of the views after the join window + 5 s, if any
   * @param viewsCompleteS seconds after the join window until every view was complete (checked
   *     each second from +5 s, at most one push-pull interval); NaN if never
   * @param atEnd disagreement of the views at the end, if any
   */
  public record Result(List<Double> joinMs, List<Double> spread99Ms, List<Double> spread100Ms,
      List<Double> crashDetectMs, List<Double> freezeDetectMs, double thawRejoinMs, long falseFailures,
      long falseSuspicions, double bytesPerMemberS, double maxBytesPerMemberS, Optional<String> afterJoin,
      double viewsCompleteS, Optional<String> atEnd, long events, long traceHash, long datagrams, long datagramsLost, double virtualSeconds) {}

  private final Options o;
  private final SimCluster cluster;
  private final Random plan;
  private final int n;
  private final long[] start;
  private final int[] joinNeeded;
  private final int[] joinSeen;
  private final long[] joinedAt;
  private final BitSet[] knows;
  private int crashed = -1;
  private int frozen = -1;
  private long crashAt;
  private long freezeAt;
  private long thawAt;
  private final long[] crashSeen;
  private final long[] freezeSeen;
  private int rejoinSeen;
  private int rejoinNeeded;
  private long rejoinAt = -1;
  private long falseFailures;
  private long falseSuspicions;
  /** member/incarnation pairs suspected while live: one accusation however many members heard it. */
  private final java.util.Set<String> accusations = new java.util.HashSet<>();
  private int changeMember = -1;
  private long changeVersion;
  private long changeAt;
  private int changeNeeded;
  private int changeSeen;
  private final BitSet changeCounted = new BitSet();
  private final List<Double> spread99 = new ArrayList<>();
  private final List<Double> spread100 = new ArrayList<>();
  private double current99 = Double.NaN;
  private double current100 = Double.NaN;
  private java.util.function.Consumer<String> progress = line -> { };

  public SimScenario(Options o) {
    this.o = o;
    this.n = o.members();
    // The plan (who starts when, who crashes) draws from its own generator seeded from the same
    // seed, so changing the plan's draws does not shift the protocol's random stream.
    this.plan = new Random(o.seed() ^ 0x5deece66dL);
    this.start = new long[n];
    Arrays.fill(start, -1);
    this.joinNeeded = new int[n];
    this.joinSeen = new int[n];
    this.joinedAt = new long[n];
    Arrays.fill(joinedAt, -1);
    this.knows = new BitSet[n];
    for (int i = 0; i < n; i++) {
      knows[i] = new BitSet(n);
    }
    this.crashSeen = new long[n];
    this.freezeSeen = new long[n];
    Arrays.fill(crashSeen, -1);
    Arrays.fill(freezeSeen, -1);
    this.cluster = new SimCluster(n, o.config(), SimNetwork.Settings.lan(o.loss()), o.seed(), o.announcementBytes(),
        this::onEvent);
  }

  /** Where progress lines go (long runs); by default nowhere. */
  public SimScenario progress(java.util.function.Consumer<String> sink) {
    this.progress = sink;
    return this;
  }

  public SimCluster cluster() {
    return cluster;
  }

  public Result run() {
    long t;
    if (o.prejoined()) {
      for (int i = 0; i < n; i++) {
        int me = i;
        start[i] = 0;
        cluster.at(0, () -> cluster.startWithFullView(me));
      }
      t = 5 * S; // first ticks, own alive broadcasts (old news everywhere) drain
    } else {
      scheduleJoins();
      t = o.joinWindowNanos() + 5 * S;
    }
    // In steps, to report progress: nothing is scheduled between steps, so the run is the same.
    for (long step = 0; step < t; step += 10 * S) {
      cluster.runUntil(Math.min(t, step + 10 * S));
      progress.accept(String.format(java.util.Locale.ROOT, "joining: %.0f s virtual, %d events", cluster.now() / 1e9,
          cluster.eventsExecuted()));
    }
    Optional<String> afterJoin = cluster.disagreement();
    // Spread is measured on complete views: wait (up to one push-pull interval) until they are.
    // (Each check reads N² view entries: once per second, not twice.)
    long giveUp = t + o.viewsWaitNanos();
    Optional<String> incomplete = afterJoin;
    while (incomplete.isPresent() && t < giveUp) {
      t += S;
      cluster.runUntil(t);
      incomplete = cluster.disagreement();
    }
    double viewsComplete = incomplete.isPresent() ? Double.NaN : (t - (o.prejoined() ? 0 : o.joinWindowNanos())) / 1e9;
    progress.accept(String.format(java.util.Locale.ROOT, "changes start at %.0f s virtual", t / 1e9));

    for (int c = 0; c < o.changes(); c++) {
      int m = o.seeds() + plan.nextInt(n - o.seeds());
      cluster.runUntil(t);
      finishChange();
      beginChange(m);
      t += 3 * S;
    }
    cluster.runUntil(t);
    finishChange();
    progress.accept(String.format(java.util.Locale.ROOT, "changes spread by %.0f s virtual", t / 1e9));
    if (o.spreadOnly()) {
      return result(afterJoin, viewsComplete, List.of(), List.of(), Double.NaN, Double.NaN);
    }

    crashed = o.seeds() + plan.nextInt(n - o.seeds());
    do {
      frozen = o.seeds() + plan.nextInt(n - o.seeds());
    } while (frozen == crashed);
    crashAt = t;
    cluster.crash(crashed);
    t += 15 * S;
    cluster.runUntil(t);

    freezeAt = t;
    thawAt = t + o.freezeForNanos();
    cluster.freeze(frozen);
    t = thawAt;
    cluster.runUntil(t);
    rejoinNeeded = liveCount();
    cluster.thaw(frozen);
    t += 20 * S;
    cluster.runUntil(t);

    long[] sentBefore = new long[n];
    for (int i = 0; i < n; i++) {
      sentBefore[i] = cluster.sentBytes(i);
    }
    cluster.runUntil(t + o.steadyNanos());
    double seconds = o.steadyNanos() / 1e9;
    double total = 0;
    double max = 0;
    int live = 0;
    for (int i = 0; i < n; i++) {
      if (cluster.live(i)) {
        double rate = seconds > 0 ? (cluster.sentBytes(i) - sentBefore[i]) / seconds : Double.NaN;
        total += rate;
        max = Math.max(max, rate);
        live++;
      }
    }

    return result(afterJoin, viewsComplete, detections(crashSeen, crashed, crashAt),
        detections(freezeSeen, frozen, freezeAt), total / live, max);
  }

  private Result result(Optional<String> afterJoin, double viewsComplete, List<Double> crash, List<Double> freeze,
      double bytesPerMemberS, double maxBytesPerMemberS) {
    List<Double> join = new ArrayList<>();
    for (int i = o.seeds(); i < n && !o.prejoined(); i++) {
      join.add(joinedAt[i] < 0 ? Double.NaN : (joinedAt[i] - start[i]) / (double) MS);
    }
    return new Result(join, spread99, spread100, crash, freeze,
        rejoinAt < 0 ? Double.NaN : (rejoinAt - thawAt) / (double) MS,
        falseFailures, falseSuspicions, bytesPerMemberS, maxBytesPerMemberS, afterJoin, viewsComplete,
        cluster.disagreement(), cluster.eventsExecuted(), cluster.traceHash(), cluster.datagrams(),
        cluster.datagramsLost(), cluster.now() / 1e9);
  }

  private void scheduleJoins() {
    for (int s = 0; s < o.seeds(); s++) {
      int seed = s;
      start[s] = 0;
      cluster.at(0, () -> cluster.start(seed, seed == 0 ? List.of() : List.of(0)));
    }
    for (int i = o.seeds(); i < n; i++) {
      int me = i;
      long at = 1 + (long) (plan.nextDouble() * o.joinWindowNanos());
      List<Integer> seeds = new ArrayList<>();
      int first = plan.nextInt(o.seeds());
      for (int s = 0; s < o.seeds(); s++) {
        seeds.add((first + s) % o.seeds());
      }
      start[i] = at;
      cluster.at(at, () -> {
        int before = 0;
        for (int j = 0; j < n; j++) {
          if (j != me && start[j] >= 0 && start[j] < at) {
            before++;
          }
        }
        joinNeeded[me] = before;
        cluster.start(me, seeds);
      });
    }
  }

  private void onEvent(int observer, MembershipEvent e, long now) {
    int m = SimCluster.index(e.member().name());
    if (e instanceof MembershipEvent.Joined j) {
      if (!knows[observer].get(m)) {
        knows[observer].set(m);
        if (start[observer] < start[m] && ++joinSeen[m] == joinNeeded[m] && joinedAt[m] < 0) {
          joinedAt[m] = now;
        }
      }
      if (m == frozen && thawAt > 0 && now >= thawAt && cluster.live(observer) && ++rejoinSeen == rejoinNeeded) {
        rejoinAt = now;
      }
      countChange(observer, m, j.member().announcement(), now);
    } else if (e instanceof MembershipEvent.Updated u) {
      countChange(observer, m, u.member().announcement(), now);
    } else if (e instanceof MembershipEvent.Failed) {
      if (cluster.live(m)) {
        falseFailures++;
      } else if (m == crashed && crashSeen[observer] < 0) {
        crashSeen[observer] = now;
      } else if (m == frozen && freezeSeen[observer] < 0 && now <= thawAt) {
        freezeSeen[observer] = now;
      }
    } else if (e instanceof MembershipEvent.Suspected && cluster.live(m) && accusations.add(e.member().name() + "/" + e.member().incarnation())) {
      falseSuspicions++;
    }
  }

  private void beginChange(int m) {
    changeMember = m;
    changeAt = cluster.now();
    changeNeeded = liveCount() - 1;
    changeSeen = 0;
    changeCounted.clear();
    current99 = Double.NaN;
    current100 = Double.NaN;
    changeVersion = cluster.updateAnnouncement(m);
  }

  private void countChange(int observer, int m, byte[] announcement, long now) {
    if (m != changeMember || SimCluster.version(announcement) < changeVersion || changeCounted.get(observer)) {
      return;
    }
    changeCounted.set(observer);
    changeSeen++;
    if (Double.isNaN(current99) && changeSeen >= Math.ceil(0.99 * changeNeeded)) {
      current99 = (now - changeAt) / (double) MS;
    }
    if (changeSeen == changeNeeded) {
      current100 = (now - changeAt) / (double) MS;
    }
  }

  private void finishChange() {
    if (changeMember >= 0) {
      spread99.add(current99);
      spread100.add(current100);
      changeMember = -1;
    }
  }

  /** Per member live through the whole fault: its detection time, NaN if it never detected. */
  private List<Double> detections(long[] seen, int victim, long at) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i != victim && i != crashed && i != frozen && cluster.live(i)) {
        out.add(seen[i] < 0 ? Double.NaN : (seen[i] - at) / (double) MS);
      }
    }
    return out;
  }

  private int liveCount() {
    int live = 0;
    for (int i = 0; i < n; i++) {
      if (cluster.live(i)) {
        live++;
      }
    }
    return live;
  }
}
