package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Gossip frame authentication: freshness window, type binding, key, and the cheap stamp check. */
class PacketAuthTest {
  private final ClusterKey key = ClusterKey.generate();
  private final ManualClock senderClock = new ManualClock(Instant.ofEpochMilli(1_700_000_000_000L));
  private final ManualClock receiverClock = new ManualClock(Instant.ofEpochMilli(1_700_000_000_000L));
  private final PacketAuth sender = new PacketAuth(key, senderClock);
  private final PacketAuth receiver = new PacketAuth(key, receiverClock);
  private final byte[] payload = "swim probe".getBytes(StandardCharsets.UTF_8);

  @Test
  void aFrameInsideTheSkewWindowIsAcceptedEitherSide() {
    byte[] frame = sender.seal("atomix-membership-probe", payload);
    for (long skew : new long[] {0, PacketAuth.MAX_SKEW_MS, -PacketAuth.MAX_SKEW_MS, PacketAuth.MAX_SKEW_MS / 2}) {
      receiverClock.set(Instant.ofEpochMilli(senderClock.millis() + skew));
      assertArrayEquals(payload, receiver.open("atomix-membership-probe", frame), "skew " + skew + " ms");
    }
  }

  @Test
  void aFrameOutsideTheSkewWindowIsRejectedEitherSide() {
    byte[] frame = sender.seal("atomix-membership-probe", payload);
    for (long skew : new long[] {PacketAuth.MAX_SKEW_MS + 1, -(PacketAuth.MAX_SKEW_MS + 1), 24 * 3600_000L}) {
      receiverClock.set(Instant.ofEpochMilli(senderClock.millis() + skew));
      assertNull(receiver.open("atomix-membership-probe", frame), "skew " + skew + " ms must be rejected");
    }
  }

  @Test
  void aFrameMacdForOneMessageTypeIsRejectedAsAnother() {
    byte[] probe = sender.seal("atomix-membership-probe", payload);
    assertArrayEquals(payload, receiver.open("atomix-membership-probe", probe));
    assertNull(receiver.open("atomix-membership-sync", probe), "a probe replayed as a sync");
    assertNull(receiver.open("atomix-membership-probe-x", probe), "a type that merely starts alike");
  }

  @Test
  void aFrameUnderAnotherKeyOrTamperedWithIsRejected() {
    byte[] frame = new PacketAuth(ClusterKey.generate(), senderClock).seal("t", payload);
    assertNull(receiver.open("t", frame), "another cluster's key");
    byte[] good = sender.seal("t", payload);
    for (int i : new int[] {0, 1, 2, PacketAuth.HEADER - 1, good.length - 1}) {
      byte[] bad = good.clone();
      bad[i] ^= 1;
      assertNull(receiver.open("t", bad), "flipped bit in byte " + i);
    }
    byte[] stamped = good.clone();
    stamped[9] ^= 1; // the timestamp's last byte: 1 ms, well inside the window, but MAC'd
    assertNull(receiver.open("t", stamped), "a re-stamped frame");
    assertNull(receiver.open("t", new byte[PacketAuth.HEADER - 1]), "short");
    assertNull(receiver.open("t", null), "null");
  }

  @Test
  void theStampAloneTellsGarbageAndStaleFramesFromPlausibleOnes() {
    byte[] good = sender.seal("t", payload);
    assertTrue(receiver.plausible(good, 0));
    byte[] shifted = new byte[good.length + 4];
    System.arraycopy(good, 0, shifted, 4, good.length);
    assertTrue(receiver.plausible(shifted, 4), "at an offset");
    byte[] magic = good.clone();
    magic[0] = 'X';
    assertFalse(receiver.plausible(magic, 0), "wrong magic");
    receiverClock.set(Instant.ofEpochMilli(senderClock.millis() + PacketAuth.MAX_SKEW_MS + 1));
    assertFalse(receiver.plausible(good, 0), "stale");
    assertFalse(receiver.plausible(new byte[PacketAuth.STAMP - 1], 0), "short");
  }

  /** A clock the test sets; PacketAuth only reads millis(). */
}
