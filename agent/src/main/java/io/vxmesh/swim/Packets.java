package io.vxmesh.swim;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes a {@code Packet} (swim.proto: {@code repeated SwimMessage messages = 1}) from messages
 * that are already encoded. A broadcast rides in up to {@link SwimConfig#transmitLimit} packets;
 * building a {@code Packet} message re-encodes it every time, which was a tenth of the
 * simulator's profile at 1,000 members. The bytes are exactly what {@code Packet.toByteArray()}
 * gives for the same messages (field 1, length-delimited, in order); {@code PacketsTest} checks it.
 */
final class Packets {
  private static final int MESSAGES_TAG = (1 << 3) | 2; // field 1, wire type LEN

  private Packets() {}

  /** {@code first} (may be null) followed by {@code rest}, as one encoded Packet. */
  static byte[] encode(byte[] first, List<byte[]> rest) {
    int size = first == null ? 0 : fieldSize(first);
    for (byte[] m : rest) {
      size += fieldSize(m);
    }
    byte[] out = new byte[size];
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    try {
      if (first != null) {
        write(o, first);
      }
      for (byte[] m : rest) {
        write(o, m);
      }
      o.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("sizing a packet went wrong", e); // cannot happen: sized above
    }
    return out;
  }

  private static int fieldSize(byte[] m) {
    return 1 + CodedOutputStream.computeUInt32SizeNoTag(m.length) + m.length;
  }

  private static void write(CodedOutputStream o, byte[] m) throws IOException {
    o.writeUInt32NoTag(MESSAGES_TAG);
    o.writeUInt32NoTag(m.length);
    o.writeRawBytes(m);
  }
}
