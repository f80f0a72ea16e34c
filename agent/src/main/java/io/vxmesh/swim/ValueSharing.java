package io.vxmesh.swim;

import io.vxmesh.proto.swim.SwimMessage;

/**
 * Lets many {@link SwimNode}s in one JVM share equal immutable values instead of each keeping
 * its own copy. An agent runs one node and keeps {@link #NONE}; the simulator runs thousands,
 * where every node's view holds every member's name, address and announcement and every node's
 * broadcast queue the same alive messages: at 10,000 members, N² copies are tens of GB, shared
 * ones a few MB. Sharing changes no behaviour: values are only ever compared by content, never
 * mutated, and the same bytes go on the wire.
 */
public interface ValueSharing {
  /** Each node keeps its own values (what a single agent does). */
  ValueSharing NONE = new ValueSharing() {
    @Override
    public String string(String s) {
      return s;
    }

    @Override
    public byte[] bytes(byte[] b) {
      return b;
    }

    @Override
    public SwimMessage message(SwimMessage m) {
      return m;
    }

    @Override
    public byte[] encode(SwimMessage m) {
      return m.toByteArray();
    }
  };

  /** An equal string, possibly one already held elsewhere. */
  String string(String s);

  /** An array with the same content, possibly one already held elsewhere; never mutated by anyone. */
  byte[] bytes(byte[] b);

  /** An equal message (a broadcast about to be queued), possibly one already held elsewhere. */
  SwimMessage message(SwimMessage m);

  /** {@code m.toByteArray()}, possibly an array already made for an equal message; never mutated. */
  byte[] encode(SwimMessage m);
}
