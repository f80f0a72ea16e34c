package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.HostPort;
import io.vxmesh.testing.LogCapture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The liveness rules on top of SWIM, with time passed in (no sockets, no sleeps). */
class MemberTrackerTest {
  private final ClusterKey key = ClusterKey.generate();
  private final AnnouncementCodec codec = new AnnouncementCodec(key);
  private final GossipSettings.GossipTimers timers = GossipSettings.GossipTimers.defaults();
  private final MemberTracker tracker = new MemberTracker("a", codec, new Validator(Fixtures.context("a")), timers);

  private MemberTracker.Observation obs(String name, int n, Announced.State state, boolean reachable) {
    String ip = "10.0.0." + n;
    Announced a = Fixtures.announcement(name, ip, n, n).withState(state);
    return new MemberTracker.Observation(name, HostPort.parse(ip + ":7947"), codec.seal(a), reachable);
  }

  private final MemberTracker.Observation self = obs("a", 1, Announced.State.ALIVE, true);

  private MemberState b(List<MemberState> view) {
    return view.stream().filter(m -> m.name().equals("b")).findFirst().orElse(null);
  }

  /**
   * A join as every peer sees it: the newcomer listed unproven, then proven. Turning alive makes
   * it held; it is uncontested, so our vote cannot change and one validation is all it costs
   * (there were two, on every peer at every join).
   */
  @Test
  void uncontestedNewcomerTurningAliveCostsOneValidation() {
    tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), 0);
    MemberTracker.Observation c = obs("c", 3, Announced.State.ALIVE, true);
    var unproven = new MemberTracker.Observation(c.name(), c.address(), c.property(), true, HostProof.PENDING);
    long before = tracker.validations();
    List<MemberState> v1 = tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true), unproven), 100);
    assertEquals(MemberStatus.UNPROVEN, v1.stream().filter(m -> m.name().equals("c")).findFirst().orElseThrow().status());
    assertEquals(before + 1, tracker.validations());
    List<MemberState> v2 = tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true), c), 200);
    assertEquals(MemberStatus.ALIVE, v2.stream().filter(m -> m.name().equals("c")).findFirst().orElseThrow().status());
    assertEquals(before + 2, tracker.validations(), "the newcomer turning alive: one validation, none repeated");
    tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true), c), 300);
    assertEquals(before + 2, tracker.validations(), "nothing changed: no validation");
  }

  @Test
  void suspectedMemberStaysProgrammableUntilFailureTimeoutPlusProbe() {
    tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), 0);
    var unreachable = List.of(obs("b", 2, Announced.State.ALIVE, false));
    MemberState s = b(tracker.update(self, unreachable, 1000));
    assertEquals(MemberStatus.SUSPECT, s.status());
    assertEquals("unreachable", s.reason());
    long limit = timers.failureTimeout().toMillis() + timers.probeTimeout().toMillis();
    assertEquals(MemberStatus.SUSPECT, b(tracker.update(self, unreachable, 1000 + limit)).status());
    assertEquals(MemberStatus.FAILED, b(tracker.update(self, unreachable, 1001 + limit)).status());
    // reachable again: alive again
    assertEquals(MemberStatus.ALIVE, b(tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), 9000)).status());
  }

  @Test
  void vanishedMemberIsFailedAtOnceAndForgottenAfterRetention() {
    tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), 0);
    MemberState s = b(tracker.update(self, List.of(), 100));
    assertEquals(MemberStatus.FAILED, s.status());
    assertEquals("10.0.0.2:7947", s.address().toString());
    long keep = timers.failedRetention().toMillis();
    assertEquals(MemberStatus.FAILED, b(tracker.update(self, List.of(), 100 + keep)).status());
    assertEquals(null, b(tracker.update(self, List.of(), 101 + keep)));
  }

  @Test
  void failedMembersAreReapedAfterTheConfiguredTimeNotBefore() {
    GossipSettings.GossipTimers d = GossipSettings.GossipTimers.defaults();
    assertEquals(java.time.Duration.ofHours(72), d.failedRetention(), "default like consul's reconnect_timeout");
    GossipSettings.GossipTimers tenSeconds = new GossipSettings.GossipTimers(d.gossipInterval(), d.gossipFanout(),
        d.probeInterval(), d.probeTimeout(), d.suspectProbes(), d.failureTimeout(), d.restartGrace(),
        java.time.Duration.ofSeconds(10), d.joinTimeout(), d.rejoinMaxBackoff(), d.leaveWait());
    MemberTracker t = new MemberTracker("a", codec, new Validator(Fixtures.context("a")), tenSeconds);
    long start = 1_000_000; // the clock is the update() argument
    t.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), start);
    assertEquals(MemberStatus.FAILED, b(t.update(self, List.of(), start + 100)).status());
    assertEquals(MemberStatus.FAILED, b(t.update(self, List.of(), start + 100 + 10_000)).status(), "10 s: still listed");
    assertEquals(null, b(t.update(self, List.of(), start + 101 + 10_000)), "reaped just after 10 s");
    // back from the dead after being reaped: a fresh ALIVE member
    assertEquals(MemberStatus.ALIVE, b(t.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), start + 20_000)).status());
  }

  /** A key holder minting names must not grow the table for the 72 h retention: beyond max_members the longest gone go first. */
  @Test
  void departedMembersBeyondTheLimitAreForgottenLongestGoneFirst() {
    MemberTracker t = new MemberTracker("a", codec, new Validator(Fixtures.context("a")), timers, 3);
    long start = 1_000_000;
    t.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), start);
    t.update(self, List.of(), start + 100); // b gone first
    t.update(self, List.of(obs("c", 3, Announced.State.ALIVE, true)), start + 200);
    t.update(self, List.of(), start + 300); // then c
    List<MemberState> v = t.update(self, List.of(obs("d", 4, Announced.State.ALIVE, true)), start + 400);
    assertEquals(List.of("a", "c", "d"), v.stream().map(MemberState::name).toList(), "b, gone longest, forgotten at 4 > 3");
    v = t.update(self, List.of(obs("d", 4, Announced.State.ALIVE, true), obs("e", 5, Announced.State.ALIVE, true)), start + 500);
    assertEquals(List.of("a", "d", "e"), v.stream().map(MemberState::name).toList(), "present members are never dropped here");
  }

  @Test
  void lastSeenIsFrozenWhileUnreachableSoTheViewDoesNotChurn() {
    long t0 = 5_000_000;
    List<MemberState> v1 = tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), t0);
    assertEquals(0, b(v1).seenUntilMs(), "reachable: seen now");
    assertEquals(v1, tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), t0 + 700), "no churn while alive");
    List<MemberTracker.Observation> unreachable = List.of(obs("b", 2, Announced.State.ALIVE, false));
    assertEquals(t0 + 700, b(tracker.update(self, unreachable, t0 + 900)).seenUntilMs(), "suspect: last reachable tick");
    assertEquals(t0 + 700, b(tracker.update(self, List.of(), t0 + 60_000)).seenUntilMs(), "failed: still the last contact");
    assertEquals(0, tracker.update(self, List.of(), t0 + 60_000).stream().filter(MemberState::self).findFirst().orElseThrow().seenUntilMs());
    assertEquals(0, b(tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), t0 + 70_000)).seenUntilMs(), "back");
  }

  @Test
  void forceLeaveForgetsFailedAtOnceAndKeepsItForgottenUntilItAnswers() {
    tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), 1);
    List<MemberTracker.Observation> dead = List.of(obs("b", 2, Announced.State.ALIVE, false));
    long failAt = 2 + timers.failureTimeout().toMillis() + timers.probeTimeout().toMillis() + 10;
    tracker.update(self, dead, 2);
    assertEquals(MemberStatus.FAILED, b(tracker.update(self, dead, failAt)).status());
    Membership.ForceLeave r = tracker.forceLeave("b", false, failAt + 1);
    assertTrue(r.done(), r.message());
    assertEquals(null, b(tracker.update(self, dead, failAt + 2)), "SWIM still lists it unreachable: stays forgotten");
    assertEquals(null, b(tracker.update(self, List.of(), failAt + 3)));
    assertEquals(MemberStatus.ALIVE, b(tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), failAt + 4)).status(),
        "reachable again: listed again");
  }

  @Test
  void forceLeaveRefusesReachableSelfAndUnknownAndSuspectWithoutPrune() {
    tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), 1);
    Membership.ForceLeave alive = tracker.forceLeave("b", true, 2);
    assertTrue(!alive.done() && alive.message().contains("reachable"), alive.message());
    assertEquals(MemberStatus.ALIVE, b(tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), 3)).status());
    assertTrue(!tracker.forceLeave("a", true, 3).done(), "self");
    assertTrue(tracker.forceLeave("a", true, 3).message().contains("vxmesh leave"));
    assertTrue(tracker.forceLeave("zz", true, 3).message().contains("no member named zz"));
    List<MemberTracker.Observation> unreachable = List.of(obs("b", 2, Announced.State.ALIVE, false));
    assertEquals(MemberStatus.SUSPECT, b(tracker.update(self, unreachable, 10)).status());
    Membership.ForceLeave noPrune = tracker.forceLeave("b", false, 11);
    assertTrue(!noPrune.done() && noPrune.message().contains("--prune"), noPrune.message());
    assertEquals(MemberStatus.SUSPECT, b(tracker.update(self, unreachable, 12)).status(), "refused: still listed");
    assertTrue(tracker.forceLeave("b", true, 13).done(), "--prune forgets a suspect");
    assertEquals(null, b(tracker.update(self, unreachable, 14)));
  }

  @Test
  void restartingMemberIsProgrammableForTheGraceThenFailed() {
    tracker.update(self, List.of(obs("b", 2, Announced.State.RESTARTING, true)), 0);
    MemberState s = b(tracker.update(self, List.of(), 100));
    assertEquals(MemberStatus.SUSPECT, s.status());
    assertEquals("restarting", s.reason());
    long grace = timers.restartGrace().toMillis();
    assertEquals(MemberStatus.SUSPECT, b(tracker.update(self, List.of(), 100 + grace)).status());
    MemberState after = b(tracker.update(self, List.of(), 101 + grace));
    assertEquals(MemberStatus.FAILED, after.status());
    assertEquals("restart grace expired", after.reason());
  }

  @Test
  void restartedMemberComingBackIsAliveWithoutPassingThroughFailed() {
    tracker.update(self, List.of(obs("b", 2, Announced.State.RESTARTING, true)), 0);
    assertEquals(MemberStatus.SUSPECT, b(tracker.update(self, List.of(), 100)).status());
    assertEquals(MemberStatus.ALIVE, b(tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true)), 5000)).status());
  }

  @Test
  void leftMemberIsListedAsLeavingNotFailed() {
    tracker.update(self, List.of(obs("b", 2, Announced.State.LEAVING, true)), 0);
    assertEquals(MemberStatus.LEAVING, b(tracker.update(self, List.of(obs("b", 2, Announced.State.LEAVING, true)), 50)).status());
    MemberState gone = b(tracker.update(self, List.of(), 100));
    assertEquals(MemberStatus.LEAVING, gone.status());
    assertTrue(!gone.status().programmable());
  }

  @Test
  void failedMemberReleasesItsClaims() {
    // c claims b's pod CIDR later; while b is alive c conflicts, once b failed c is alive
    Announced cAnn = Fixtures.with(Fixtures.announcement("c", "10.0.0.3", 3, 99),
        Fixtures.network(Fixtures.mac(3), "179.17.1.3", "10.234.2.0/24"));
    var c = new MemberTracker.Observation("c", HostPort.parse("10.0.0.3:7947"), codec.seal(cAnn), true);
    var view = tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true), c), 0);
    assertEquals(MemberStatus.CONFLICT, view.stream().filter(m -> m.name().equals("c")).findFirst().orElseThrow().status());
    view = tracker.update(self, List.of(c), 100);
    assertEquals(MemberStatus.FAILED, b(view).status());
    assertEquals(MemberStatus.ALIVE, view.stream().filter(m -> m.name().equals("c")).findFirst().orElseThrow().status());
  }

  /** A peer failing and a conflict are WARN (an operator should look); alive, suspect are INFO. */
  @Test
  void failingAndConflictingMembersAreLoggedAtWarn() {
    Announced cAnn = Fixtures.with(Fixtures.announcement("c", "10.0.0.3", 3, 99),
        Fixtures.network(Fixtures.mac(3), "179.17.1.3", "10.234.2.0/24"));
    var c = new MemberTracker.Observation("c", HostPort.parse("10.0.0.3:7947"), codec.seal(cAnn), true);
    try (LogCapture log = new LogCapture(MemberTracker.class)) {
      tracker.update(self, List.of(obs("b", 2, Announced.State.ALIVE, true), c), 0);
      tracker.update(self, List.of(c), 100);
      List<String> lines = log.lines();
      assertTrue(lines.contains("INFO member status node=b status=alive reason=\"\" self=false seen_by=a"), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("WARN member status node=c status=conflict reason=")), lines.toString());
      assertTrue(lines.contains("WARN member status node=b status=failed reason=\"failed (no longer reachable)\" self=false seen_by=a"),
          lines.toString());
    }
  }

  @Test
  void badAnnouncementsAreCountedOncePerValue() {
    var bad = new MemberTracker.Observation("x", HostPort.parse("10.0.0.9:7947"), "garbage", true);
    tracker.update(self, List.of(bad), 0);
    tracker.update(self, List.of(bad), 100);
    assertEquals(1, tracker.rejectedAnnouncements());
    var bad2 = new MemberTracker.Observation("x", bad.address(), "garbage2", true);
    tracker.update(self, List.of(bad2), 200);
    assertEquals(2, tracker.rejectedAnnouncements());
  }

  @Test
  void badAnnouncementsAreCountedByAShortReason() {
    Announced y = Fixtures.announcement("y", "10.0.0.8", 8, 1);
    String otherKey = new AnnouncementCodec(ClusterKey.generate()).seal(y);
    tracker.update(self, List.of(new MemberTracker.Observation("x", HostPort.parse("10.0.0.9:7947"), "garbage", true),
        new MemberTracker.Observation("y", HostPort.parse("10.0.0.8:7947"), otherKey, true)), 0);
    assertEquals(java.util.Map.of("malformed", 1L, "bad_signature", 1L), tracker.rejectedAnnouncementsByReason());
    assertEquals("missing", MemberTracker.reasonLabel("no announcement"));
    assertEquals("too_large", MemberTracker.reasonLabel("announcement too large (9000 chars)"));
    assertEquals("unsigned", MemberTracker.reasonLabel("announcement unsigned"));
    assertEquals("malformed", MemberTracker.reasonLabel("VNI 7: VTEP MAC malformed"));
  }
}
