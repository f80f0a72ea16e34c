package io.vxmesh.gossip;

import io.atomix.cluster.protocol.SwimMembershipProtocol;
import io.atomix.utils.serializer.Serializer;
import java.lang.reflect.Field;

/**
 * Atomix's own serializer of SWIM messages (member lists, probes), so that vxmesh can look at
 * the members a message carries before Atomix stores them ({@link MemberAdmission}). Atomix keeps
 * it in a private field of {@link SwimMembershipProtocol}; reading it by reflection (the class is
 * on the class path, not in a named module) keeps the wire format exactly Atomix's. Atomix is
 * pinned at 3.1.12; a version without the field fails here at class load, loudly, and the
 * member-flood test with it.
 *
 * <p>Only authenticated payloads ever reach this (after {@link PacketAuth}): Atomix decodes the
 * same bytes right after.
 */
final class SwimCodec {
  private static final Serializer SERIALIZER = lookup();

  private SwimCodec() {}

  private static Serializer lookup() {
    try {
      Field f = SwimMembershipProtocol.class.getDeclaredField("SERIALIZER");
      f.setAccessible(true);
      return (Serializer) f.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("Atomix's SWIM serializer not found (not Atomix 3.1.12?): " + e, e);
    }
  }

  static Object decode(byte[] payload) {
    return SERIALIZER.decode(payload);
  }

  static byte[] encode(Object message) {
    return SERIALIZER.encode(message);
  }
}
