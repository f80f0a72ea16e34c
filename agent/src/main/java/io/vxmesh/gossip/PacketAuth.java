package io.vxmesh.gossip;

import io.vxmesh.net.HostPort;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Authenticates every gossip payload (UDP datagram and TCP message/response) with the cluster
 * key, so nothing from outside the mesh reaches Atomix's Kryo decoder.
 *
 * <p>Frame: {@code 'V' | version (1) | timestamp ms (8, big endian) | HMAC-SHA256 (32) |
 * payload}. The MAC covers version, timestamp, the message type (so a probe cannot be replayed
 * as a sync) and the payload. Timestamps further than {@link #MAX_SKEW_MS} from our clock are
 * rejected: a cheap bound on replay (SWIM state carries incarnation numbers, so a replay inside
 * the window re-delivers stale state that is ignored). Hosts need clocks within that window.
 *
 * <p>Keys come from a {@link Keyring}: frames are sealed with its primary key and open under any
 * of its keys (primary first), so a mesh can rotate its key without a split. The keyring is
 * swapped whole on reload ({@link #use}).
 *
 * <p>Also holds the drop counters ({@link GossipStats}).
 */
final class PacketAuth {
  static final int HEADER = 1 + 1 + 8 + 32;
  static final long MAX_SKEW_MS = 120_000;
  private static final byte MAGIC = 'V';
  private static final byte VERSION = 1;
  private static final int MAX_TRACKED_SOURCES = 1024;

  private volatile Keyring keyring;
  private final Clock clock;
  private final AtomicLong rejected = new AtomicLong();
  private final Map<String, LongAdder> rejectedBySource = new ConcurrentHashMap<>();

  PacketAuth(ClusterKey key, Clock clock) {
    this(Keyring.of(key), clock);
  }

  PacketAuth(Keyring keyring, Clock clock) {
    this.keyring = keyring;
    this.clock = clock;
  }

  /** From now on seal with {@code next}'s primary key and accept any of its keys. */
  void use(Keyring next) {
    keyring = next;
  }

  byte[] seal(String type, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length);
    long now = clock.millis();
    b.put(MAGIC).put(VERSION).putLong(now);
    b.put(keyring.primary().hmac(macInput(VERSION, now, type, payload, 0, payload.length)));
    b.put(payload);
    return b.array();
  }

  /** The payload when {@code frame} is authentic and fresh, else null (the caller counts it). */
  byte[] open(String type, byte[] frame) {
    if (frame == null || frame.length < HEADER || frame[0] != MAGIC || frame[1] != VERSION) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(frame);
    b.position(2);
    long ts = b.getLong();
    if (Math.abs(clock.millis() - ts) > MAX_SKEW_MS) {
      return null;
    }
    byte[] mac = new byte[32];
    b.get(mac);
    if (!verifies(mac, macInput(frame[1], ts, type, frame, HEADER, frame.length - HEADER))) {
      return null;
    }
    byte[] payload = new byte[frame.length - HEADER];
    System.arraycopy(frame, HEADER, payload, 0, payload.length);
    return payload;
  }

  /** Whether {@code mac} is the MAC of {@code input} under any key, the primary tried first. */
  private boolean verifies(byte[] mac, byte[] input) {
    for (ClusterKey k : keyring.keys()) {
      if (MessageDigest.isEqual(mac, k.hmac(input))) {
        return true;
      }
    }
    return false;
  }

  private static byte[] macInput(byte version, long ts, String type, byte[] payload, int off, int len) {
    byte[] t = type.getBytes(StandardCharsets.UTF_8);
    ByteBuffer m = ByteBuffer.allocate(1 + 8 + 2 + t.length + len);
    m.put(version).putLong(ts).putShort((short) t.length).put(t).put(payload, off, len);
    return m.array();
  }

  void reject(HostPort source) {
    rejected.incrementAndGet();
    String s = source == null ? "?" : source.toString();
    if (rejectedBySource.size() >= MAX_TRACKED_SOURCES && !rejectedBySource.containsKey(s)) {
      s = "other";
    }
    rejectedBySource.computeIfAbsent(s, k -> new LongAdder()).increment();
  }

  long rejected() {
    return rejected.get();
  }

  Map<String, Long> rejectedBySource() {
    Map<String, Long> m = new TreeMap<>();
    rejectedBySource.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
