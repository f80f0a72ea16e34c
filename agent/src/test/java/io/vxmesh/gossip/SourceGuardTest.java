package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.IpAddresses;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The budgets of unauthenticated TCP input: per IP, in total, and the rejected-frame bucket. */
class SourceGuardTest {
  private static final InetAddress A = IpAddresses.parse("10.0.0.1");
  private static final InetAddress B = IpAddresses.parse("10.0.0.2");
  private long now;
  private final SourceGuard guard = new SourceGuard(new SourceGuard.Limits(1000, 2500, 1500, 5, 3, 2, 1.0), () -> now);

  @Test
  void framesAreRefusedBeyondTheFrameCapThePerSourceAndTheTotalBudget() {
    assertFalse(guard.reserve(A, 1001), "over the frame cap");
    assertTrue(guard.reserve(A, 1000));
    assertFalse(guard.reserve(A, 600), "over A's 1500");
    assertTrue(guard.reserve(B, 1000));
    assertFalse(guard.reserve(B, 600), "over the total 2500 (B's own budget would allow it)");
    assertEquals(2000, guard.bytesInFlight());
    guard.release(A, 1000);
    assertTrue(guard.reserve(B, 500));
    guard.release(B, 1500);
    assertEquals(0, guard.bytesInFlight());
    assertEquals(0, guard.trackedSources(), "idle sources are forgotten");
  }

  @Test
  void connectionsAreLimitedPerSourceAndInTotal() {
    for (int i = 0; i < 3; i++) {
      assertNull(guard.openConnection(A));
    }
    assertNotNull(guard.openConnection(A), "4th from A");
    assertNull(guard.openConnection(B));
    assertNull(guard.openConnection(B));
    assertNotNull(guard.openConnection(B), "6th in total");
    guard.closeConnection(A);
    assertNull(guard.openConnection(B));
  }

  @Test
  void aSourceOutOfRejectTokensIsRefusedUntilTheBucketRefills() {
    guard.rejected(A);
    assertNull(guard.openConnection(A), "one token left");
    guard.closeConnection(A);
    guard.rejected(A);
    assertNotNull(guard.openConnection(A), "bucket empty");
    assertNull(guard.openConnection(B), "others are not affected");
    now += TimeUnit.MILLISECONDS.toNanos(1000);
    assertNull(guard.openConnection(A), "a token back after a second");
  }

  @Test
  void unknownPeersShareOneEntryAndNeverThrow() {
    assertTrue(guard.reserve(null, 1000));
    assertFalse(guard.reserve(null, 1000));
    guard.release(null, 1000);
    guard.rejected(null);
    assertNull(guard.openConnection(null));
    guard.closeConnection(null);
    assertEquals(0, guard.bytesInFlight());
  }
}
