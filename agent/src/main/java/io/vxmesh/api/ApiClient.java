package io.vxmesh.api;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A client of the local API. One connection, any number of sequential calls, each bounded by
 * the timeout (non-blocking channel + selector: no helper threads, so the CLI stays cheap).
 * Every failure is an {@link ApiException} with a one-line message naming the socket and the
 * reason, fit to print as is.
 */
public final class ApiClient implements AutoCloseable {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  /** Responses can list many members; generous, but still bounded. */
  public static final int MAX_RESPONSE = 64 * 1024 * 1024;

  private final Path socket;
  private final Duration timeout;
  private final SocketChannel channel;
  private final Selector selector;
  private ByteBuffer pending = ByteBuffer.allocate(0);

  private ApiClient(Path socket, Duration timeout, SocketChannel channel, Selector selector) {
    this.socket = socket;
    this.timeout = timeout;
    this.channel = channel;
    this.selector = selector;
  }

  /** Connects to the agent's socket. */
  public static ApiClient connect(Path socket, Duration timeout) throws ApiException {
    SocketChannel ch = null;
    try {
      ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.configureBlocking(false);
      Selector sel = Selector.open();
      return new ApiClient(socket, timeout, ch, sel);
    } catch (IOException e) {
      closeQuietly(ch);
      throw unreachable(socket, e);
    }
  }

  /** One request, one response; an Error response is returned as is (see {@link #expect}). */
  public Response call(Request request) throws ApiException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      byte[] body = request.toByteArray();
      ByteBuffer out = ByteBuffer.allocate(CodedOutputStream.computeUInt32SizeNoTag(body.length) + body.length);
      CodedOutputStream cos = CodedOutputStream.newInstance(out);
      cos.writeUInt32NoTag(body.length);
      cos.writeRawBytes(body);
      cos.flush();
      out.flip();
      while (out.hasRemaining()) {
        if (channel.write(out) == 0) {
          await(SelectionKey.OP_WRITE, deadline);
        }
      }
      long len = readVarint(deadline);
      if (len > MAX_RESPONSE) {
        throw new ApiException("vxmesh: bad answer from the agent at " + socket + ": response of " + len + " bytes");
      }
      byte[] payload = new byte[(int) len];
      int got = 0;
      while (got < len) {
        got += take(payload, got, (int) len - got, deadline);
      }
      return Response.parseFrom(new ByteArrayInputStream(payload));
    } catch (InvalidProtocolBufferException e) {
      throw new ApiException("vxmesh: bad answer from the agent at " + socket + ": " + e.getMessage());
    } catch (IOException e) {
      throw new ApiException("vxmesh: lost the agent at " + socket + ": " + reason(e));
    }
  }

  /**
   * Calls and checks the answer is of the expected kind; an agent-side Error becomes an
   * ApiException carrying the agent's message.
   */
  public Response expect(Request request, Response.KindCase kind) throws ApiException {
    Response r = call(request);
    if (r.getKindCase() == Response.KindCase.ERROR) {
      throw new ApiException("vxmesh: the agent says: " + r.getError().getMessage());
    }
    if (r.getKindCase() != kind) {
      throw new ApiException("vxmesh: the agent at " + socket + " answered " + r.getKindCase() + " to a " + request.getKindCase() + " request");
    }
    return r;
  }

  private long readVarint(long deadline) throws IOException, ApiException {
    long v = 0;
    byte[] one = new byte[1];
    for (int shift = 0; shift < 35; shift += 7) {
      take(one, 0, 1, deadline);
      v |= (long) (one[0] & 0x7f) << shift;
      if ((one[0] & 0x80) == 0) {
        return v;
      }
    }
    throw new ApiException("vxmesh: bad answer from the agent at " + socket + ": malformed frame length");
  }

  /** Reads at least one byte into dst, waiting up to the deadline. */
  private int take(byte[] dst, int off, int len, long deadline) throws IOException, ApiException {
    while (!pending.hasRemaining()) {
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      int n = channel.read(buf);
      if (n < 0) {
        throw new ApiException("vxmesh: the agent at " + socket + " closed the connection without an answer");
      }
      if (n == 0) {
        await(SelectionKey.OP_READ, deadline);
        continue;
      }
      buf.flip();
      pending = buf;
    }
    int n = Math.min(len, pending.remaining());
    pending.get(dst, off, n);
    return n;
  }

  private void await(int op, long deadline) throws IOException, ApiException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw timedOut();
    }
    SelectionKey key = channel.register(selector, op);
    int ready = selector.select(Math.max(1, left / 1_000_000));
    key.interestOps(0);
    selector.selectedKeys().clear();
    if (ready == 0 && deadline - System.nanoTime() <= 0) {
      throw timedOut();
    }
  }

  private ApiException timedOut() {
    return new ApiException("vxmesh: the agent at " + socket + " did not answer within " + timeout.toMillis() + " ms");
  }

  /**
   * Why connect() failed, told apart by errno: EACCES/EPERM (the socket or its directory is
   * closed to this user: the agent may well be running) is its own message and exit code;
   * ENOENT and ECONNREFUSED mean no agent. The errno text is the exception's message; a
   * directory this user cannot search also reports EACCES, so it never reads as "no such file".
   */
  static ApiException unreachable(Path socket, IOException e) {
    String reason = reason(e);
    if (reason.contains("permission denied") || reason.contains("operation not permitted")) {
      return new ApiException("vxmesh: permission denied on " + socket + ": the API is for root and members of the 'vxmesh' group"
          + " (add yourself: sudo usermod -aG vxmesh $USER, then log in again)", ApiException.EX_NOPERM);
    }
    String hint = "";
    if (reason.contains("no such file")) {
      reason = "no such file";
      hint = " (is vxmesh running?)";
    } else if (reason.contains("refused")) {
      hint = " (is vxmesh running?)";
    }
    return new ApiException("vxmesh: cannot reach the agent at " + socket + ": " + reason + hint);
  }

  private static String reason(IOException e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.toLowerCase(Locale.ROOT);
  }

  public Path socket() {
    return socket;
  }

  @Override
  public void close() {
    closeQuietly(channel);
    try {
      selector.close();
    } catch (IOException e) {
      // closing
    }
  }

  private static void closeQuietly(SocketChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // closing
      }
    }
  }
}
