package io.vxmesh.gossip;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Also holds the counters of {@link GossipStats}: drops by source and by reason, and the
 * traffic of both transports (every frame passes through here, so one place counts them).
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

  private volatile Keyring keyring;
  private final Clock clock;
  private final Map<String, LongAdder> traffic = new ConcurrentHashMap<>();

  /** Reasons a frame is dropped, the {@code reason} label of {@code vxmesh_gossip_rejected_total}. */
  static final String MALFORMED = "malformed";
  static final String STALE = "stale";
  static final String BAD_MAC = "bad_mac";
  static final String UNKNOWN_SUBJECT = "unknown_subject";
  static final String TOO_LARGE = "too_large";
  static final String OVER_BUDGET = "over_budget";
  static final String TIMEOUT = "timeout";
  static final String REFUSED = "connection_refused";

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
    return open(type, frame, new String[1]);
  }

  /**
   * {@link #open}; a refused frame is counted in {@code rejections} against {@code source} (the
   * socket's real peer) with its reason ({@link #MALFORMED}, {@link #STALE}, {@link #BAD_MAC}).
   */
  byte[] openFrom(Rejections rejections, java.net.InetAddress source, String type, byte[] frame) {
    String[] why = new String[1];
    byte[] payload = open(type, frame, why);
    if (payload == null) {
      rejections.reject(source, why[0], STALE.equals(why[0]) ? "timestamp outside the replay window"
          : BAD_MAC.equals(why[0]) ? "bad MAC (forged, or another cluster key)" : "not a vxmesh frame");
    }
    return payload;
  }

  private byte[] open(String type, byte[] frame, String[] why) {
    if (frame == null || frame.length < HEADER || frame[0] != MAGIC || frame[1] != VERSION) {
      why[0] = MALFORMED;
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(frame);
    b.position(2);
    long ts = b.getLong();
    if (Math.abs(clock.millis() - ts) > MAX_SKEW_MS) {
      why[0] = STALE;
      return null;
    }
    byte[] mac = new byte[32];
    b.get(mac);
    if (!verifies(mac, macInput(frame[1], ts, type, frame, HEADER, frame.length - HEADER))) {
      why[0] = BAD_MAC;
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

  /** Counts one frame of {@code bytes} on {@code transport} ("udp", "tcp") in {@code direction} ("in", "out"). */
  void traffic(String transport, String direction, int bytes) {
    String k = transport + "/" + direction;
    traffic.computeIfAbsent(k + "/messages", x -> new LongAdder()).increment();
    traffic.computeIfAbsent(k + "/bytes", x -> new LongAdder()).add(bytes);
  }

  /** {@code transport/direction/messages|bytes} → count. */
  Map<String, Long> traffic() {
    Map<String, Long> m = new TreeMap<>();
    traffic.forEach((k, v) -> m.put(k, v.sum()));
    return m;
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
