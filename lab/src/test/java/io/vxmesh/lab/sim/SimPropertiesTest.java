package io.vxmesh.lab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.swim.MemberStatus;
import io.vxmesh.swim.MembershipEvent;
import io.vxmesh.swim.SwimConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Properties of vxmesh's SWIM protocol ({@code io.vxmesh.swim}) checked in the deterministic
 * simulator over several seeds, small clusters so they stay fast. Each seed is a different
 * start order, delay and loss pattern; a failure names its seed and reproduces exactly.
 */
class SimPropertiesTest {
  private static final long S = 1_000_000_000L;

  /** Counts events by type over every observer. */
  private static final class Events implements SimCluster.Observer {
    final List<String> failed = new ArrayList<>();
    final List<String> suspects = new ArrayList<>();
    int suspected;

    @Override
    public void onEvent(int observer, MembershipEvent e, long now) {
      if (e instanceof MembershipEvent.Failed) {
        failed.add(String.format("t=%.3fs %s declared %s failed", now / 1e9, SimCluster.name(observer), e.member().name()));
      } else if (e instanceof MembershipEvent.Suspected) {
        suspected++;
        suspects.add(e.member().name());
      }
    }
  }

  /** Starts all members at random times within the first 5 s, through 3 seeds. */
  private static SimCluster started(int n, double loss, long seed, SimCluster.Observer events) {
    SimCluster c = new SimCluster(n, SwimConfig.tuned(), SimNetwork.Settings.lan(loss), seed, 64, events);
    Random plan = new Random(seed);
    for (int i = 0; i < n; i++) {
      int me = i;
      long at = i == 0 ? 0 : 1 + (long) (plan.nextDouble() * 5 * S);
      c.at(at, () -> c.start(me, me == 0 ? List.of() : List.of(0, 1, 2)));
    }
    return c;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void everyRunConvergesWithLossIncludingAnnouncementChanges(long seed) {
    SimCluster c = started(60, 0.05, seed, new Events());
    c.runUntil(15 * S);
    Random r = new Random(seed);
    for (int k = 0; k < 5; k++) {
      c.updateAnnouncement(r.nextInt(60));
    }
    // Gossip alone misses a given member with probability ~e^-(transmits x (1 - loss)), about
    // 5e-4 here (8 transmits at 60 members): some of the 3,600 pairs may need a push-pull,
    // which every member makes once per 60 s at 60 members. With 5 % loss a probe now and then
    // fails and its target is suspect for a moment (seed 2 at 49.98 s): converged means a
    // moment with every view in agreement, looked for every 100 ms.
    c.runUntil(80 * S);
    Optional<String> last = c.disagreement();
    for (int i = 0; i < 100 && last.isPresent(); i++) {
      c.runUntil(80 * S + i * S / 10);
      last = c.disagreement();
    }
    assertEquals(Optional.empty(), last, "seed " + seed);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13})
  void withoutLossOrPartitionNoLiveMemberIsEverSuspectedOrFailed(long seed) {
    Events events = new Events();
    SimCluster c = started(80, 0, seed, events);
    c.runUntil(120 * S);
    assertEquals(List.of(), events.failed, "seed " + seed);
    assertEquals(0, events.suspected, "seed " + seed);
    assertEquals(Optional.empty(), c.disagreement());
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {21, 22, 23})
  void viewsReconvergeAfterAPartitionHeals(long seed) {
    Events events = new Events();
    int n = 40;
    SimCluster c = started(n, 0.01, seed, events);
    c.runUntil(10 * S);
    int[] halves = new int[n];
    for (int i = n / 2; i < n; i++) {
      halves[i] = 1;
    }
    c.partition(halves);
    c.runUntil(30 * S);
    // Each half declared the other failed ...
    assertEquals(MemberStatus.DEAD, c.node(0).member(SimCluster.name(n - 1)).orElseThrow().status());
    assertEquals(MemberStatus.DEAD, c.node(n - 1).member(SimCluster.name(0)).orElseThrow().status());
    assertNotEquals(Optional.empty(), c.disagreement());
    c.heal();
    // ... and finds it again (reconnect pings every 10 s, then push-pull and refutation).
    c.runUntil(60 * S);
    assertEquals(Optional.empty(), c.disagreement(), "seed " + seed);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {31, 32, 33})
  void aShortFreezeIsRefutedAndAFrozenMemberThatWasDeclaredFailedComesBack(long seed) {
    Events events = new Events();
    SimCluster c = started(30, 0.01, seed, events);
    c.runUntil(10 * S);
    // Frozen for less than a probe round trip + suspicion minimum: suspected, never failed.
    c.freeze(7);
    c.runUntil(10 * S + 300_000_000L);
    c.thaw(7);
    c.runUntil(20 * S);
    assertEquals(List.of(), events.failed, "seed " + seed);
    assertEquals(MemberStatus.ALIVE, c.node(0).member(SimCluster.name(7)).orElseThrow().status());
    // Frozen for 10 s: declared failed by all, then back by refutation after the thaw.
    c.freeze(9);
    c.runUntil(30 * S);
    for (int i = 0; i < 30; i++) {
      if (i != 9) {
        assertEquals(MemberStatus.DEAD, c.node(i).member(SimCluster.name(9)).orElseThrow().status(), "observer " + i);
      }
    }
    c.thaw(9);
    c.runUntil(40 * S);
    assertEquals(Optional.empty(), c.disagreement(), "seed " + seed);
  }

  /**
   * 5 % datagram loss: direct and all indirect probes fail together often enough to suspect live
   * members many times a minute; nearly all must be refuted in time. Not "never": at this loss a
   * live member is now and then declared failed (and refutes its way back). This test used three
   * seeds and "never"; after issue 11's quiet join merge changed the random sequence, seed 43
   * showed one false failure at t = 11.4 s (joins end by 5 s). Over these 40 seeds: 1 run with one
   * (2,696 suspicions in all); at most 4 runs and one failure per run are allowed. At the issue's
   * 1 % loss, bench sim's 1,000 members see none in 10 virtual minutes.
   */
  @Test
  void suspicionsFromHeavyLossAreRefutedAndFalseFailuresStayRare() {
    int runsWithFailures = 0;
    long suspected = 0;
    List<String> failures = new ArrayList<>();
    for (long seed = 41; seed <= 80; seed++) {
      Events events = new Events();
      SimCluster c = started(30, 0.05, seed, events);
      c.runUntil(70 * S);
      suspected += events.suspected;
      assertTrue(events.failed.size() <= 1, "seed " + seed + ": " + events.failed);
      if (!events.failed.isEmpty()) {
        runsWithFailures++;
        failures.add("seed " + seed + ": " + events.failed);
      }
      long refuted = 0;
      for (int i = 1; i < 30; i++) {
        refuted += c.node(0).member(SimCluster.name(i)).orElseThrow().incarnation() > 1 ? 1 : 0;
      }
      assertTrue(refuted > 0, "seed " + seed + ": no member ever had to refute");
    }
    System.out.println("sim heavy loss: suspicions " + suspected + ", runs with a false failure " + runsWithFailures + " of 40 "
        + failures);
    assertTrue(suspected > 400, "only " + suspected + " suspicions in 40 runs: the test proves nothing");
    assertTrue(runsWithFailures <= 4, runsWithFailures + " of 40 runs had false failures: " + failures);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {44, 45})
  void aMemberCutOffAloneDoesNotGetOthersDeclaredFailed(long seed) {
    Events events = new Events();
    int n = 30;
    SimCluster c = started(n, 0, seed, events);
    c.runUntil(10 * S);
    // Member 5 is cut off for 2 s. The others rightly declare it failed; it suspects (and in
    // its own view declares failed) the others, but its verdicts, lost or arriving late, must
    // not make anyone else declare a third member failed: remote "dead" is merged as
    // "suspect", and the suspected are told and refute.
    int[] groups = new int[n];
    groups[5] = 1;
    c.partition(groups);
    c.runUntil(12 * S);
    c.heal();
    c.runUntil(40 * S);
    String five = SimCluster.name(5);
    List<String> others = events.failed.stream()
        .filter(f -> !f.contains(" " + five + " declared") && !f.endsWith(five + " failed")).toList();
    assertEquals(List.of(), others, "seed " + seed);
    assertTrue(events.failed.stream().anyMatch(f -> f.endsWith(five + " failed")), "5 was never declared failed");
    assertEquals(Optional.empty(), c.disagreement(), "seed " + seed);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {51, 52})
  void theSameSeedGivesTheSameTraceAndAnotherSeedAnother(long seed) {
    long[] hashes = new long[3];
    for (int run = 0; run < 3; run++) {
      SimCluster c = started(40, 0.02, run < 2 ? seed : seed + 1000, new Events());
      c.runUntil(10 * S);
      c.crash(3);
      c.updateAnnouncement(4);
      c.runUntil(20 * S);
      hashes[run] = c.traceHash();
      assertTrue(c.traceRecords() > 10_000, "trace too short to mean anything: " + c.traceRecords());
    }
    assertEquals(hashes[0], hashes[1], "same seed, different run");
    assertNotEquals(hashes[0], hashes[2], "different seed, same run");
  }

  @Test
  void aPrejoinedClusterAgreesFromTheStartAndSpreadsEveryChange() {
    SimScenario.Options o = SimScenario.Options.defaults(300, 0.01, 7).withChanges(3).withPrejoined();
    SimScenario.Result r = new SimScenario(o).run();
    assertEquals(Optional.empty(), r.afterJoin(), "every view holds every member without a join");
    assertEquals(List.of(), r.joinMs(), "no join is measured");
    assertEquals(3, r.spread100Ms().size());
    for (double ms : r.spread100Ms()) {
      assertTrue(ms <= 1500, "a change reached all 300 members in " + ms + " ms");
    }
    assertEquals(0, r.falseFailures());
    assertEquals(Optional.empty(), r.atEnd(), "views agree at the end");
  }
}
