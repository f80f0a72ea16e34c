package io.vxmesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

  @Test
  void aRestartKeepsTheFirstClaimOfTheSameCidrs(@TempDir Path dir) {
    assertEquals(1000, ClaimStore.claimedAt(dir, "10001=10.234.111.0/24", at(1000)));
    assertEquals(1000, ClaimStore.claimedAt(dir, "10001=10.234.111.0/24", at(5000)), "restart keeps the claim");
  }

  @Test
  void otherCidrsStartANewClaim(@TempDir Path dir) {
    ClaimStore.claimedAt(dir, "10001=10.234.111.0/24", at(1000));
    assertEquals(7000, ClaimStore.claimedAt(dir, "10001=10.234.112.0/24", at(7000)));
    assertEquals(7000, ClaimStore.claimedAt(dir, "10001=10.234.112.0/24", at(9000)));
  }

  @Test
  void aCorruptOrFutureFileIsReplacedAndNoDirMeansNow(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(ClaimStore.FILE), "claims=10001=10.234.111.0/24\nclaimed_at_ms=99999999\n");
    assertEquals(2000, ClaimStore.claimedAt(dir, "10001=10.234.111.0/24", at(2000)), "a claim from the future is not trusted");
    Files.writeString(dir.resolve(ClaimStore.FILE), "\u0000garbage");
    assertEquals(3000, ClaimStore.claimedAt(dir, "10001=10.234.111.0/24", at(3000)));
    assertEquals(4000, ClaimStore.claimedAt(null, "x", at(4000)));
  }
}
