package io.vxmesh.gossip;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;

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
 * <p>The first {@link #STAMP} bytes (magic, version, timestamp) can be checked on their own
 * ({@link #plausible}), so a stream reader drops garbage before it buffers the rest.
 */
final class PacketAuth {
  static final int HEADER = 1 + 1 + 8 + 32;
  static final long MAX_SKEW_MS = 120_000;
  private static final byte MAGIC = 'V';
  private static final byte VERSION = 1;
  /** Magic, version and timestamp: what {@link #plausible} needs. */
  static final int STAMP = 1 + 1 + 8;

  private final ClusterKey key;
  private final Clock clock;

  PacketAuth(ClusterKey key, Clock clock) {
    this.key = key;
    this.clock = clock;
  }

  byte[] seal(String type, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length);
    long now = clock.millis();
    b.put(MAGIC).put(VERSION).putLong(now);
    b.put(mac(VERSION, now, type, payload, 0, payload.length));
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
    byte[] expected = mac(frame[1], ts, type, frame, HEADER, frame.length - HEADER);
    if (!MessageDigest.isEqual(mac, expected)) {
      return null;
    }
    byte[] payload = new byte[frame.length - HEADER];
    System.arraycopy(frame, HEADER, payload, 0, payload.length);
    return payload;
  }

  private byte[] mac(byte version, long ts, String type, byte[] payload, int off, int len) {
    byte[] t = type.getBytes(StandardCharsets.UTF_8);
    ByteBuffer m = ByteBuffer.allocate(1 + 8 + 2 + t.length + len);
    m.put(version).putLong(ts).putShort((short) t.length).put(t).put(payload, off, len);
    return key.hmac(m.array());
  }

  /**
   * Whether {@code b[off..off+STAMP)} can start an authentic frame: our magic and version and a
   * timestamp inside the freshness window. Cheap, no MAC: public facts an attacker can forge,
   * but garbage stops here.
   */
  boolean plausible(byte[] b, int off) {
    if (b.length - off < STAMP || b[off] != MAGIC || b[off + 1] != VERSION) {
      return false;
    }
    long ts = ByteBuffer.wrap(b, off + 2, 8).getLong();
    return Math.abs(clock.millis() - ts) <= MAX_SKEW_MS;
  }
}
