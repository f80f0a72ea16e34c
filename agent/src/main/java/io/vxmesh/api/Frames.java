package io.vxmesh.api;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Varint-length-delimited framing (protobuf's writeDelimitedTo/parseDelimitedFrom), with the
 * length checked against a maximum before any payload is read, so a hostile length cannot make
 * us allocate.
 */
final class Frames {
  private Frames() {}

  /** Thrown for a malformed or oversized frame header. */
  static final class BadFrameException extends IOException {
    private static final long serialVersionUID = 1L;

    BadFrameException(String message) {
      super(message);
    }
  }

  /**
   * Reads one frame's payload; null on a clean end of stream before the first byte.
   *
   * @throws BadFrameException bad varint or length above {@code max}
   * @throws EOFException the stream ended inside a frame
   */
  static byte[] read(InputStream in, int max) throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    long len = first & 0x7f;
    int shift = 7;
    int b = first;
    while ((b & 0x80) != 0) {
      if (shift > 28) {
        throw new BadFrameException("length varint longer than 5 bytes");
      }
      b = in.read();
      if (b < 0) {
        throw new EOFException("stream ended inside a frame length");
      }
      len |= (long) (b & 0x7f) << shift;
      shift += 7;
    }
    if (len > max) {
      throw new BadFrameException("frame of " + len + " bytes exceeds the limit of " + max);
    }
    byte[] payload = in.readNBytes((int) len);
    if (payload.length < len) {
      throw new EOFException("stream ended after " + payload.length + " of " + len + " frame bytes");
    }
    return payload;
  }
}
