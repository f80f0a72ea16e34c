package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.proto.Member;
import io.vxmesh.lab.testbed.AgentToml;
import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.testing.E2ETest;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input never hurts: a broken config stops the agent with exit 78 (EX_CONFIG) and one line
 * naming the key; garbage or an oversized frame on the API socket closes that connection only.
 * One host, no pods.
 */
@ExtendWith(DiagnoseOnFailure.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@E2ETest
class ConfigAndApiE2ETest implements DiagnoseOnFailure.Source {
  private Testbed tb;
  private Host host;

  @Override
  public Testbed testbed() {
    return tb;
  }

  @BeforeAll
  void oneHost() {
    Mesh.requireRootAndAgent();
    tb = Testbed.create(1, false);
    host = tb.host(0);
  }

  @AfterAll
  void removeEverything() {
    if (tb != null) {
      tb.close();
    }
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of("an unknown key", "bogus_key", (UnaryOperator<AgentToml>) c -> c.with("gossip.bogus_key", 1)),
        Arguments.of("a malformed pod CIDR", "pod_cidr", (UnaryOperator<AgentToml>) c -> c.withPodCidr("10.234.111.0/33")),
        Arguments.of("a missing key file", "key_file", (UnaryOperator<AgentToml>) c -> c.withKeyFile(Path.of("/nonexistent/cluster.key"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void aBadConfigExits78WithOneLineNamingTheKey(String what, String key, UnaryOperator<AgentToml> breakIt) {
    AgentToml bad = breakIt.apply(tb.agentToml(host));
    AgentProcess a = tb.startAgent(host, bad);
    OptionalInt exit = a.awaitExit(Duration.ofSeconds(30));
    assertEquals(OptionalInt.of(78), exit, what + ": exit code; log:\n" + a.log());
    String lastRun = a.log().substring(a.log().lastIndexOf("=== testbed: start"));
    assertTrue(lastRun.contains(key), what + ": the message does not name " + key + ":\n" + lastRun);
    assertTrue(lastRun.contains(a.configFile().toString()), what + ": the message does not name the file:\n" + lastRun);
    assertTrue(!lastRun.contains("\tat "), what + ": a stack trace instead of one line:\n" + lastRun);
  }

  @Test
  void garbageAndOversizedFramesOnTheApiSocketCloseOnlyThatConnection() throws Exception {
    AgentProcess a = tb.startAgent(host);
    try {
      assertTrue(a.awaitSocket(Duration.ofSeconds(30)), "no API socket at " + a.socket());
      // A complete 100-byte frame that is no protobuf (0xff starts a varint that never ends).
      byte[] garbage = new byte[101];
      Arrays.fill(garbage, (byte) 0xff);
      garbage[0] = 100;
      // Fields with wire type 7, which protobuf does not have.
      byte[] badWireType = {4, 0x0f, 0x0f, 0x0f, 0x0f};
      byte[] oversized = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 1, 2, 3}; // varint length 4 GiB
      for (byte[] junk : List.of(garbage, badWireType, oversized)) {
        assertTrue(closedByAgent(a.socket(), junk), "the agent kept a connection open after junk of " + junk.length + " bytes");
        assertTrue(a.isAlive(), "the agent died on junk");
      }
      List<Member> members = a.members().getMembersList();
      assertEquals(1, members.size(), members.toString());
      assertEquals("alive", members.get(0).getStatus());
    } finally {
      a.kill();
    }
  }

  /** Sends {@code junk}, then waits up to 5 s for the agent to close the connection (read gives EOF). */
  private static boolean closedByAgent(Path socket, byte[] junk) throws IOException, InterruptedException {
    var pool = Executors.newSingleThreadExecutor();
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      try {
        ch.write(ByteBuffer.wrap(junk));
      } catch (IOException closedWhileWriting) {
        return true;
      }
      Future<Boolean> eof = pool.submit(() -> {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        while (true) {
          buf.clear();
          int n;
          try {
            n = ch.read(buf);
          } catch (IOException reset) {
            return true;
          }
          if (n < 0) {
            return true;
          }
        }
      });
      try {
        return eof.get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        return false;
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theTestbedWritesTheIssueSchemaTheAgentAccepts() throws IOException {
    Path file = tb.agentToml(host).write(tb.dir().resolve("check.toml"));
    String toml = Files.readString(file);
    for (String key : List.of("node_name", "[gossip]", "advertise", "join", "key_file", "[api]", "socket", "[[network]]",
        "device", "vni", "port", "underlay", "vtep_address", "vtep_mac", "pod_cidr")) {
      assertTrue(toml.contains(key), key + " missing in\n" + toml);
    }
  }
}
