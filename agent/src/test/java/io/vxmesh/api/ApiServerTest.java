package io.vxmesh.api;

import io.vxmesh.testing.Await;
import io.vxmesh.testing.LogCapture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.netlink.TestNetns;
import io.vxmesh.proto.LeaveRequest;
import io.vxmesh.proto.LeaveResponse;
import io.vxmesh.proto.ListMembersRequest;
import io.vxmesh.proto.ListMembersResponse;
import io.vxmesh.proto.Member;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import io.vxmesh.proto.StatusRequest;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API over a real unix socket in a temp dir: round trips, bad input, lifecycle. */
class ApiServerTest {
  @TempDir Path dir;
  final List<Caller> callers = new CopyOnWriteArrayList<>();
  ApiServer server;

  static final Request LIST = Request.newBuilder().setListMembers(ListMembersRequest.getDefaultInstance()).build();

  Response handle(Request req, Caller caller) {
    callers.add(caller);
    return switch (req.getKindCase()) {
      case LIST_MEMBERS -> Response.newBuilder().setListMembers(ListMembersResponse.newBuilder()
          .addMembers(Member.newBuilder().setName("master1").setHostIp("10.211.55.5").setStatus("alive"))).build();
      case LEAVE -> Response.newBuilder().setLeave(LeaveResponse.newBuilder().setOk(true).setMessage("bye")).build();
      default -> throw new IllegalStateException("no status in this test");
    };
  }

  ApiServer start(Path socket, Duration idle) throws IOException {
    server = new ApiServer(socket, this::handle, idle);
    server.start();
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void severalRequestsOnOneConnectionWithPeerCredentials() throws Exception {
    Path socket = dir.resolve("run/vxmesh/vxmesh.sock");
    start(socket, ApiServer.DEFAULT_IDLE_TIMEOUT);
    assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    try (ApiClient c = ApiClient.connect(socket, Duration.ofSeconds(5))) {
      for (int i = 0; i < 3; i++) {
        Response r = c.expect(LIST, Response.KindCase.LIST_MEMBERS);
        assertEquals("master1", r.getListMembers().getMembers(0).getName());
      }
      Response leave = c.call(Request.newBuilder().setLeave(LeaveRequest.getDefaultInstance()).build());
      assertEquals(TestNetns.isRoot() ? Response.KindCase.LEAVE : Response.KindCase.ERROR, leave.getKindCase(),
          "leave reaches the handler only for root: " + leave);
    }
    assertEquals(TestNetns.isRoot() ? 4 : 3, callers.size());
    assertEquals(uid(), callers.get(0).uid(), "uid from SO_PEERCRED");
    assertEquals(3 + (TestNetns.isRoot() ? 1 : 0), server.requests());
  }

  @Test
  void handlerFailureIsAnErrorResponseAndTheConnectionStaysUsable() throws Exception {
    Path socket = dir.resolve("api.sock");
    start(socket, ApiServer.DEFAULT_IDLE_TIMEOUT);
    try (ApiClient c = ApiClient.connect(socket, Duration.ofSeconds(5))) {
      Response r = c.call(Request.newBuilder().setStatus(StatusRequest.getDefaultInstance()).build());
      assertEquals(Response.KindCase.ERROR, r.getKindCase());
      assertTrue(r.getError().getMessage().contains("no status in this test"), r.getError().getMessage());
      ApiException e = assertThrows(ApiException.class,
          () -> c.expect(Request.newBuilder().setStatus(StatusRequest.getDefaultInstance()).build(), Response.KindCase.STATUS));
      assertTrue(e.getMessage().startsWith("vxmesh: the agent says: "), e.getMessage());
      assertEquals(Response.KindCase.LIST_MEMBERS, c.call(LIST).getKindCase());
    }
  }

  @Test
  void garbageOversizedAndNonRequestFramesCloseOnlyThatConnection() throws Exception {
    Path socket = dir.resolve("api.sock");
    start(socket, ApiServer.DEFAULT_IDLE_TIMEOUT);
    try (ApiClient healthy = ApiClient.connect(socket, Duration.ofSeconds(5))) {
      assertEquals(Response.KindCase.LIST_MEMBERS, healthy.call(LIST).getKindCase());
      byte[][] bad = {
        {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // varint > 5 bytes
        {(byte) 0x80, (byte) 0x80, (byte) 0x40}, // length 1 MiB > 64 KiB
        {3, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // not a protobuf message
      };
      for (int i = 0; i < bad.length; i++) {
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
          raw.write(ByteBuffer.wrap(bad[i]));
          assertEquals(-1, readUntilClosed(raw), "server closes connection " + i);
        }
        int expected = i + 1;
        await(() -> server.badFrames() == expected, "bad frame " + i + " counted");
      }
      assertEquals(Response.KindCase.LIST_MEMBERS, healthy.call(LIST).getKindCase(), "other connection unaffected");
    }
    try (ApiClient fresh = ApiClient.connect(socket, Duration.ofSeconds(5))) {
      assertEquals(Response.KindCase.LIST_MEMBERS, fresh.call(LIST).getKindCase(), "server still accepts");
    }
  }

  @Test
  void aThousandGarbageConnectionsFromOneUidLogAtMostOneLinePerIntervalAndTheServerStillAnswers() throws Exception {
    Path socket = dir.resolve("api.sock");
    start(socket, ApiServer.DEFAULT_IDLE_TIMEOUT);
    int connections = 1000;
    try (LogCapture logs = new LogCapture(ApiServer.class)) {
      long t0 = System.nanoTime();
      for (int i = 0; i < connections; i++) {
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
          raw.write(ByteBuffer.wrap(new byte[] {3, (byte) 0xff, (byte) 0xff, (byte) 0xff})); // not a Request
          assertEquals(-1, readUntilClosed(raw), "server closes garbage connection " + i);
        }
      }
      await(() -> server.badFrames() == connections, connections + " bad frames counted");
      long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
      List<String> lines = logs.lines("WARN api bad frame");
      System.out.printf("figure api_bad_frame_flood connections=%d ms=%d warn_lines=%d%n", connections, elapsedMs, lines.size());
      assertEquals(lines, logs.lines("WARN"), "no other warnings");
      assertTrue(!lines.isEmpty() && lines.size() <= 1 + elapsedMs / BadFrameThrottle.INTERVAL.toMillis(),
          "one line per uid per interval, " + elapsedMs + " ms: " + lines.size() + " lines");
      assertTrue(lines.get(0).contains("bad_since_last_line=1 "), lines.get(0));
      assertTrue(logs.lines().stream().noneMatch(l -> l.contains("\n")), "one line each, no stack trace");
    }
    try (ApiClient fresh = ApiClient.connect(socket, Duration.ofSeconds(5))) {
      assertEquals(Response.KindCase.LIST_MEMBERS, fresh.call(LIST).getKindCase(), "server still answers");
    }
  }

  @Test
  void aSilentClientIsClosedAfterTheIdleTimeout() throws Exception {
    Path socket = dir.resolve("api.sock");
    start(socket, Duration.ofMillis(200));
    try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      raw.write(ByteBuffer.wrap(new byte[] {10})); // promises 10 bytes, sends none
      long t0 = System.nanoTime();
      assertEquals(-1, readUntilClosed(raw));
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
    }
  }

  @Test
  void aFrameThatNeverCompletesIsClosedLongBeforeTheIdleTimeout() throws Exception {
    Path socket = dir.resolve("api.sock");
    start(socket, Duration.ofMinutes(10));
    try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      raw.write(ByteBuffer.wrap(new byte[] {(byte) 0xe8, 0x07, 1, 2, 3})); // promises 1000 bytes, sends 3
      long t0 = System.nanoTime();
      assertEquals(-1, readUntilClosed(raw));
      long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
      assertTrue(ms >= ApiServer.FRAME_TIMEOUT.toMillis() - 100 && ms < 8000, "closed after " + ms + " ms");
    }
    await(() -> server.badFrames() == 1, "the incomplete frame is counted");
  }

  @Test
  void aClientThatStopsReadingIsClosedAfterTheIdleTimeout() throws Exception {
    Path socket = dir.resolve("api.sock");
    String big = "x".repeat(1 << 20);
    server = new ApiServer(socket, (req, caller) -> Response.newBuilder().setListMembers(ListMembersResponse.newBuilder()
        .addMembers(Member.newBuilder().setName("m").setReason(big))).build(), Duration.ofMillis(300));
    server.start();
    try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      ByteBuffer req = ByteBuffer.allocate(64);
      LIST.writeDelimitedTo(new java.io.OutputStream() {
        @Override
        public void write(int b) {
          req.put((byte) b);
        }
      });
      req.flip();
      raw.write(req); // one request whose 1 MiB answer we never read
      await(() -> server.requests() == 1, "request answered");
      await(() -> server.openConnections() == 0, "blocked writer released by the timeout");
    }
    try (ApiClient c = ApiClient.connect(socket, Duration.ofSeconds(5))) {
      assertEquals(big.length(), c.call(LIST).getListMembers().getMembers(0).getReason().length(), "big answers work for readers");
    }
  }

  @Test
  void staleSocketIsReplacedLiveOneIsNotAndCloseRemovesIt() throws Exception {
    Path socket = dir.resolve("api.sock");
    ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    dead.bind(UnixDomainSocketAddress.of(socket));
    dead.close(); // the JDK leaves the file behind, like a killed agent
    assertTrue(Files.exists(socket));
    start(socket, ApiServer.DEFAULT_IDLE_TIMEOUT);
    try (ApiClient c = ApiClient.connect(socket, Duration.ofSeconds(5))) {
      assertEquals(Response.KindCase.LIST_MEMBERS, c.call(LIST).getKindCase());
    }
    try (ApiServer second = new ApiServer(socket, this::handle)) {
      IOException e = assertThrows(IOException.class, second::start);
      assertTrue(e.getMessage().contains("another agent is listening"), e.getMessage());
    }
    assertTrue(Files.exists(socket), "the live agent's socket survives a second agent's attempt");
    server.close();
    assertTrue(!Files.exists(socket), "close removes the socket file");
  }

  @Test
  void aRegularFileIsNeverDeleted() throws Exception {
    Path socket = dir.resolve("api.sock");
    Files.writeString(socket, "precious");
    try (ApiServer s = new ApiServer(socket, this::handle)) {
      IOException e = assertThrows(IOException.class, s::start);
      assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
    }
    assertEquals("precious", Files.readString(socket));
  }

  @Test
  void clientSaysWhyItCannotReachTheAgent() throws Exception {
    Path missing = dir.resolve("nothing.sock");
    ApiException e = assertThrows(ApiException.class, () -> ApiClient.connect(missing, Duration.ofSeconds(1)));
    assertEquals("vxmesh: cannot reach the agent at " + missing + ": no such file (is vxmesh running?)", e.getMessage());
    Path stale = dir.resolve("stale.sock");
    ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    dead.bind(UnixDomainSocketAddress.of(stale));
    dead.close();
    ApiException refused = assertThrows(ApiException.class, () -> ApiClient.connect(stale, Duration.ofSeconds(1)));
    assertTrue(refused.getMessage().startsWith("vxmesh: cannot reach the agent at " + stale + ": connection refused"), refused.getMessage());
  }

  @Test
  void clientTimesOutOnAnAgentThatNeverAnswers() throws Exception {
    Path socket = dir.resolve("mute.sock");
    try (ServerSocketChannel mute = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      mute.bind(UnixDomainSocketAddress.of(socket));
      try (ApiClient c = ApiClient.connect(socket, Duration.ofMillis(300)); SocketChannel accepted = mute.accept()) {
        ApiException e = assertThrows(ApiException.class, () -> c.call(LIST));
        assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
      }
    }
  }

  @Test
  void uidMapping() throws IOException {
    Path passwd = dir.resolve("passwd");
    Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n");
    assertEquals(0, Caller.uid("root", passwd));
    assertEquals(1000, Caller.uid("alice", passwd));
    assertEquals(4242, Caller.uid("4242", passwd), "the JDK prints the number when there is no passwd entry");
    assertEquals(-1, Caller.uid("mallory", passwd));
  }

  /** Reads until EOF (server closed); returns -1, or fails after a deadline. */
  static int readUntilClosed(SocketChannel ch) throws IOException {
    ch.configureBlocking(true);
    ByteBuffer b = ByteBuffer.allocate(1024);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      b.clear();
      int n = ch.read(b);
      if (n < 0) {
        return -1;
      }
    }
    throw new AssertionError("connection not closed in time");
  }

  static void await(BooleanSupplier condition, String what) {
    Await.until(Duration.ofSeconds(5), what, condition);
  }

  static int uid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
