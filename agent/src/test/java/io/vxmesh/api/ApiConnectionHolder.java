package io.vxmesh.api;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client that holds API connections open, run by {@link ApiConnectionLimitTest} as another
 * uid (under {@code setpriv}): issue 12's lockout, where a {@code vxmesh} group member kept every
 * connection open with one request per interval. JDK classes only, so it runs from
 * {@code target/test-classes} without the agent's dependencies.
 *
 * <p>Arguments: socket, connections to open, the request frame (hex, varint-delimited), keepalive
 * interval in ms. For each connection it sends the request and prints {@code answer <hex>} (the
 * response frame's payload) or {@code eof}; then {@code holding}, and from then on repeats the
 * request on every connection each interval (dropping those the server closed) until stdin
 * closes.
 */
public final class ApiConnectionHolder {
  private ApiConnectionHolder() {}

  public static void main(String[] args) throws Exception {
    Path socket = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    byte[] request = HexFormat.of().parseHex(args[2]);
    long everyMs = Long.parseLong(args[3]);
    List<SocketChannel> held = new CopyOnWriteArrayList<>();
    for (int i = 0; i < n; i++) {
      SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket));
      byte[] answer = exchange(c, request);
      System.out.println(answer == null ? "eof" : "answer " + HexFormat.of().formatHex(answer));
      held.add(c);
    }
    System.out.println("holding");
    System.out.flush();
    Thread keep = new Thread(() -> {
      while (true) {
        try {
          Thread.sleep(everyMs);
        } catch (InterruptedException e) {
          return;
        }
        for (SocketChannel c : held) {
          try {
            if (exchange(c, request) == null) {
              held.remove(c);
            }
          } catch (IOException e) {
            held.remove(c);
          }
        }
      }
    });
    keep.setDaemon(true);
    keep.start();
    while (System.in.read() >= 0) {
      // held until the test closes our stdin
    }
  }

  /** Sends the request and reads one varint-delimited answer; null at end of stream. */
  static byte[] exchange(SocketChannel c, byte[] request) throws IOException {
    c.write(ByteBuffer.wrap(request));
    long len = 0;
    for (int shift = 0; ; shift += 7) {
      int b = readByte(c);
      if (b < 0) {
        return null;
      }
      len |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    ByteBuffer payload = ByteBuffer.allocate((int) len);
    while (payload.hasRemaining()) {
      if (c.read(payload) < 0) {
        return null;
      }
    }
    return payload.array();
  }

  private static int readByte(SocketChannel c) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    while (one.hasRemaining()) {
      if (c.read(one) < 0) {
        return -1;
      }
    }
    return one.get(0) & 0xff;
  }
}
