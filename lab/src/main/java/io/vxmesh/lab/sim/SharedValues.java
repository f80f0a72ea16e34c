package io.vxmesh.lab.sim;

import io.vxmesh.proto.swim.SwimMessage;
import io.vxmesh.swim.ValueSharing;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One copy of each name, announcement and alive broadcast for all the simulated members. Without
 * it every member held its own copy of every other member's name, address and 160-byte
 * announcement, and every member's broadcast queue its own parsed alive messages: ~370 B per
 * (member, member) pair, 37 GB at 10,000 members. The tables only grow, by the distinct values
 * a run produces (members × announcement versions), a few MB at 10,000.
 */
final class SharedValues implements ValueSharing {
  private final Map<String, String> strings = new HashMap<>();
  private final Map<ByteBuffer, byte[]> arrays = new HashMap<>();
  private final Map<SwimMessage, SwimMessage> alive = new HashMap<>();
  private final Map<SwimMessage, byte[]> encodings = new IdentityHashMap<>();

  @Override
  public String string(String s) {
    String shared = strings.putIfAbsent(s, s);
    return shared == null ? s : shared;
  }

  @Override
  public byte[] bytes(byte[] b) {
    byte[] shared = arrays.putIfAbsent(ByteBuffer.wrap(b), b);
    return shared == null ? b : shared;
  }

  /** Alive messages only: suspect and dead ones are few and name their accuser. */
  @Override
  public SwimMessage message(SwimMessage m) {
    if (!m.hasAlive()) {
      return m;
    }
    SwimMessage shared = alive.putIfAbsent(m, m);
    if (shared != null) {
      return shared;
    }
    encodings.put(m, m.toByteArray());
    return m;
  }

  @Override
  public byte[] encode(SwimMessage m) {
    byte[] e = encodings.get(m);
    return e != null ? e : m.toByteArray();
  }
}
