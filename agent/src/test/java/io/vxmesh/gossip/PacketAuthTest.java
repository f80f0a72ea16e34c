package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.HostPort;
import io.vxmesh.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gossip frame authentication: freshness window, type binding, key, and the capped counters. */
class PacketAuthTest {
  /** PacketAuth.MAX_TRACKED_SOURCES (private there): sources counted one by one before "other". */
  static final int MAX_TRACKED_SOURCES = 1024;

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
  void perSourceRejectionCountersAreCappedAndTheRestCountAsOther() {
    int extra = 500;
    HostPort first = HostPort.parse("10.0.0.1:7947");
    for (int i = 0; i < MAX_TRACKED_SOURCES + extra; i++) {
      receiver.reject(HostPort.parse("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + ":7947"), PacketAuth.BAD_MAC);
    }
    receiver.reject(first, PacketAuth.BAD_MAC); // already tracked: still counted by name after the cap
    receiver.reject(null, PacketAuth.BAD_MAC);  // unknown source, arriving after the cap
    Map<String, Long> bySource = receiver.rejectedBySource();
    assertEquals(MAX_TRACKED_SOURCES + extra + 2, receiver.rejected(), "every rejection counted in total");
    assertEquals(MAX_TRACKED_SOURCES + 1, bySource.size(), "the map stays bounded: " + bySource.size() + " keys");
    assertEquals(extra + 1, bySource.get("other"), "sources past the cap, and '?' after it, count as other");
    assertEquals(2L, bySource.get("10.0.0.1:7947"));
    assertEquals(receiver.rejected(), bySource.values().stream().mapToLong(Long::longValue).sum());
    assertTrue(bySource.keySet().stream().noneMatch(k -> k.equals("10.0.7.255:7947")), "the 2048th source is not tracked by name");
  }

  /** A clock the test sets; PacketAuth only reads millis(). */
}
