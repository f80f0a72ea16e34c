package io.vxmesh.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.datapath.Datapath;
import io.vxmesh.datapath.FakeDatapathKernel;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.testing.Await;
import io.vxmesh.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link Reconciler#healthy()}, which gates the systemd watchdog pings: a reconcile loop that is
 * dead, or has not finished a pass for three resync intervals, must stop them (then systemd
 * restarts the agent); one that is still on its first pass must not.
 */
class ReconcilerHealthTest {
  private static final Duration RESYNC = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

  private final ManualClock clock = new ManualClock(T0);

  private Reconciler reconciler(Supplier<MembershipView> views) {
    return new Reconciler(views, List.of(ReconcilerTest.SPEC), new Datapath(new FakeDatapathKernel()), RESYNC,
        Duration.ofSeconds(1), clock);
  }

  private static MembershipView complete() {
    return ReconcilerTest.view(true, ReconcilerTest.member("node1", MemberStatus.ALIVE, ReconcilerTest.NODE1));
  }

  private static void awaitPasses(Reconciler r, long n) {
    Await.until(Duration.ofSeconds(5), n + " reconcile pass(es)", () -> r.status().passes() >= n);
  }

  @Test
  void notStartedIsUnhealthy() {
    try (Reconciler r = reconciler(ReconcilerHealthTest::complete)) {
      assertFalse(r.healthy(), "no reconcile thread yet");
    }
  }

  @Test
  void healthyWhileTheFirstPassIsStillRunningHoweverLongItTakes() throws Exception {
    CountDownLatch inFirstPass = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (Reconciler r = reconciler(() -> {
      inFirstPass.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return complete();
    })) {
      r.start();
      assertTrue(inFirstPass.await(5, TimeUnit.SECONDS), "the first pass started");
      assertEquals(0, r.status().passes());
      assertTrue(r.healthy(), "no pass finished yet: healthy");
      clock.advance(RESYNC.multipliedBy(10));
      assertTrue(r.healthy(), "before the first pass the age of lastPass (EPOCH) does not count");
      release.countDown();
      awaitPasses(r, 1);
    }
  }

  @Test
  void healthyUntilThreeResyncIntervalsAfterTheLastPass() throws Exception {
    try (Reconciler r = reconciler(ReconcilerHealthTest::complete)) {
      r.start();
      assertTrue(r.awaitConverged(Duration.ofSeconds(5)));
      awaitPasses(r, 1);
      Instant lastPass = r.status().lastPass();
      assertEquals(T0, lastPass, "the pass read the injected clock");
      assertTrue(r.healthy(), "right after a pass");

      // The loop waits for the next resync in real time (30 s), so no pass moves lastPass here.
      clock.set(lastPass.plus(RESYNC.multipliedBy(3)).minusMillis(1));
      assertTrue(r.healthy(), "just inside 3 x resync");
      clock.set(lastPass.plus(RESYNC.multipliedBy(3)));
      assertFalse(r.healthy(), "3 x resync after the last pass: wedged");
      clock.advance(Duration.ofHours(1));
      assertFalse(r.healthy(), "long past");
      assertEquals(1, r.status().passes(), "no pass ran meanwhile");

      // A new pass at the current time makes it healthy again.
      Instant now = clock.instant();
      r.wake();
      awaitPasses(r, 2);
      assertEquals(now, r.status().lastPass());
      assertTrue(r.healthy(), "a fresh pass recovers");
    }
  }

  @Test
  void unhealthyOnceClosed() throws Exception {
    Reconciler r = reconciler(ReconcilerHealthTest::complete);
    try {
      r.start();
      assertTrue(r.awaitConverged(Duration.ofSeconds(5)));
      assertTrue(r.healthy());
    } finally {
      r.close();
    }
    assertFalse(r.healthy(), "the reconcile thread has ended; the clock did not move");
    assertEquals(T0, clock.instant());
  }
}
