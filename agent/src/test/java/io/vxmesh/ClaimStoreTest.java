package io.vxmesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClaimStoreTest {
  static Clock at(long ms) {
    return Clock.fixed(Instant.ofEpochMilli(ms), ZoneOffset.UTC);
  }

  /** What the agent does: read the claim while it builds, store it when it joins the mesh. */
  static long claimedAt(Path dir, String claims, Clock clock) {
    ClaimStore.Claim c = ClaimStore.read(dir, claims, clock);
    c.store();
    return c.claimedAtMs();
  }

  @Test
  void readingAClaimWritesNothingUntilItIsStored(@TempDir Path dir) {
    ClaimStore.Claim c = ClaimStore.read(dir, "10001=10.234.111.0/24", at(1000));
    assertFalse(Files.exists(dir.resolve(ClaimStore.FILE)));
    c.store();
    assertEquals(1000, ClaimStore.read(dir, "10001=10.234.111.0/24", at(5000)).claimedAtMs());
  }

  @Test
  void aRestartKeepsTheFirstClaimOfTheSameCidrs(@TempDir Path dir) {
    assertEquals(1000, claimedAt(dir, "10001=10.234.111.0/24", at(1000)));
    assertEquals(1000, claimedAt(dir, "10001=10.234.111.0/24", at(5000)), "restart keeps the claim");
  }

  @Test
  void otherCidrsStartANewClaim(@TempDir Path dir) {
    claimedAt(dir, "10001=10.234.111.0/24", at(1000));
    assertEquals(7000, claimedAt(dir, "10001=10.234.112.0/24", at(7000)));
    assertEquals(7000, claimedAt(dir, "10001=10.234.112.0/24", at(9000)));
  }

  @Test
  void aCorruptOrFutureFileIsReplacedAndNoDirMeansNow(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(ClaimStore.FILE), "claims=10001=10.234.111.0/24\nclaimed_at_ms=99999999\n");
    assertEquals(2000, claimedAt(dir, "10001=10.234.111.0/24", at(2000)), "a claim from the future is not trusted");
    Files.writeString(dir.resolve(ClaimStore.FILE), "\u0000garbage");
    assertEquals(3000, claimedAt(dir, "10001=10.234.111.0/24", at(3000)));
    assertEquals(4000, claimedAt(null, "x", at(4000)));
  }
}
