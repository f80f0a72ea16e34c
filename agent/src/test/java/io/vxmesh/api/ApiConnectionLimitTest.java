package io.vxmesh.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vxmesh.netlink.TestNetns;
import io.vxmesh.proto.ListMembersRequest;
import io.vxmesh.proto.ListMembersResponse;
import io.vxmesh.proto.Member;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import io.vxmesh.testing.Await;
import io.vxmesh.testing.KernelTest;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's API lockout, attacked for real: clients running as other uids (under
 * {@code setpriv}) hold connections open with a request every 300 ms, past the idle timeout.
 * One uid gets its quota and no more; a second uid still gets its own; with every non-root slot
 * held, root is still served. Before the per-uid limits the first uid took all 16 connections
 * and root was refused.
 */
@KernelTest
class ApiConnectionLimitTest {
  static final Request LIST = Request.newBuilder().setListMembers(ListMembersRequest.getDefaultInstance()).build();
  static final Duration IDLE = Duration.ofSeconds(2);

  @TempDir Path dir;
  ApiServer server;
  final List<Process> holders = new ArrayList<>();

  @AfterEach
  void stop() {
    for (Process p : holders) {
      p.destroyForcibly();
    }
    if (server != null) {
      server.close();
    }
  }

  /** What one holder got: the answer to the first request on each of its connections. */
  record Held(Process process, List<Response> answers) {
    long served() {
      return answers.stream().filter(r -> r.getKindCase() == Response.KindCase.LIST_MEMBERS).count();
    }

    List<String> refusals() {
      return answers.stream().filter(r -> r.getKindCase() == Response.KindCase.ERROR).map(r -> r.getError().getMessage()).toList();
    }
  }

  Held hold(Path socket, int uid, int connections) throws Exception {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    LIST.writeDelimitedTo(frame);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
        java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", Path.of("target/test-classes").toAbsolutePath().toString(),
        ApiConnectionHolder.class.getName(), socket.toString(), Integer.toString(connections),
        HexFormat.of().formatHex(frame.toByteArray()), "300")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    holders.add(p);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    List<Response> answers = CompletableFuture.supplyAsync(() -> {
      List<Response> got = new ArrayList<>();
      try {
        for (String line; (line = out.readLine()) != null && !line.equals("holding"); ) {
          assertTrue(line.startsWith("answer "), "uid " + uid + ": " + line);
          got.add(Response.parseFrom(HexFormat.of().parseHex(line.substring(7))));
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      return got;
    }).get(60, TimeUnit.SECONDS);
    assertEquals(connections, answers.size(), "uid " + uid + ": an answer on every connection");
    return new Held(p, answers);
  }

  @Test
  void aUserHoldingItsConnectionsLocksOutNeitherOtherUsersNorRoot() throws Exception {
    TestNetns.assumeRoot();
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "SKIPPED LOUDLY: setpriv (util-linux) missing");
    assumeTrue(Files.isDirectory(Path.of("target/test-classes")), "SKIPPED LOUDLY: run from the agent module (target/test-classes)");
    Path socket = dir.resolve("api.sock");
    server = new ApiServer(socket, (req, caller) -> Response.newBuilder().setListMembers(ListMembersResponse.newBuilder()
        .addMembers(Member.newBuilder().setName("master1").setStatus("alive"))).build(), IDLE);
    server.start();
    // Other uids must reach the socket (the agent's is 0660 root:vxmesh; these uids are in no group).
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    int quota = ApiServer.MAX_CONNECTIONS_PER_UID;

    Held greedy = hold(socket, 65534, ApiServer.MAX_CONNECTIONS);
    assertEquals(quota, greedy.served(), "uid 65534 gets its quota, not every connection: " + greedy.refusals());
    assertEquals(ApiServer.MAX_CONNECTIONS - quota, greedy.refusals().size());
    assertEquals("too many API connections from uid 65534 (" + quota + " open, limit " + quota + " per user)",
        greedy.refusals().get(0), "the refused client is told why");

    Held second = hold(socket, 65533, quota);
    assertEquals(quota, second.served(), "a second uid is still served up to its own quota: " + second.refusals());

    // Fill every non-root slot, then one more user is refused and root still gets in.
    int users = 2;
    for (int uid = 65532; users * quota < ApiServer.MAX_NON_ROOT_CONNECTIONS; uid--, users++) {
      assertEquals(quota, hold(socket, uid, quota).served());
    }
    assertEquals(ApiServer.MAX_NON_ROOT_CONNECTIONS, server.openConnections(), "every non-root slot held");
    Held late = hold(socket, 60000, 1);
    assertEquals(List.of("all " + ApiServer.MAX_NON_ROOT_CONNECTIONS + " API connections for non-root users are in use"
        + " (root still gets in)"), late.refusals());

    // Held past the idle timeout by keepalive requests: the slots do not free themselves.
    long before = server.requests();
    Await.until(Duration.ofSeconds(30), "keepalives for longer than the idle timeout",
        () -> server.requests() - before >= (long) ApiServer.MAX_NON_ROOT_CONNECTIONS * (IDLE.toMillis() / 300 + 2));
    assertEquals(ApiServer.MAX_NON_ROOT_CONNECTIONS, server.openConnections(), "still every non-root slot held");

    List<ApiClient> roots = new ArrayList<>();
    try {
      for (int i = 0; i < ApiServer.MAX_CONNECTIONS - ApiServer.MAX_NON_ROOT_CONNECTIONS; i++) {
        ApiClient c = ApiClient.connect(socket, Duration.ofSeconds(5));
        roots.add(c);
        assertEquals(Response.KindCase.LIST_MEMBERS, c.call(LIST).getKindCase(), "root connection " + i + " served");
      }
    } finally {
      roots.forEach(ApiClient::close);
    }
    assertEquals(ApiServer.MAX_CONNECTIONS - quota + 1, server.refusedConnections(), "refusals counted");
  }
}
