package io.vxmesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vxmesh.api.ApiServer;
import io.vxmesh.logging.LogLevels;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import io.vxmesh.testing.KernelTest;
import java.io.IOException;
import io.vxmesh.testing.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code vxmesh log-level} against a real ApiServer on a unix socket, answered by AgentApi. */
class LogLevelApiTest {
  @TempDir Path dir;
  Path socket;
  ApiServer server;
  String out;
  String err;

  @BeforeEach
  void start() throws IOException {
    socket = dir.resolve("vxmesh.sock");
    server = new ApiServer(socket, (req, caller) -> req.getKindCase() == Request.KindCase.LOG_LEVEL
        ? AgentApi.logLevel(req.getLogLevel().getLevel())
        : Response.getDefaultInstance());
    server.start();
    LogLevels.set("info");
  }

  @AfterEach
  void stop() {
    server.close();
    LogLevels.set("info");
  }

  int run(String... args) {
    CliRun r = CliRun.of(args);
    out = r.out();
    err = r.err();
    return r.code();
  }

  static boolean root() {
    return ProcessHandle.current().info().user().orElse("").equals("root");
  }

  @Test
  void withoutAnArgumentPrintsTheCurrentLevel() {
    assertEquals(0, run("log-level", "--socket", socket.toString()), err);
    assertEquals("info", out.strip());
  }

  @Test
  void rootChangesTheLevelOfTheRunningAgent() {
    assumeTrue(root(), "SKIPPED: changing the level needs root (the server checks the caller's uid)");
    org.slf4j.Logger vxmesh = LoggerFactory.getLogger("io.vxmesh.reconcile.Reconciler");
    org.slf4j.Logger atomix = LoggerFactory.getLogger("io.atomix.cluster.Foo");
    assertEquals(false, vxmesh.isDebugEnabled());
    assertEquals(0, run("log-level", "DEBUG", "--socket", socket.toString()), err);
    assertEquals("debug (was info)", out.strip());
    assertTrue(vxmesh.isDebugEnabled(), "vxmesh's loggers follow the root level");
    assertEquals(false, atomix.isInfoEnabled(), "Atomix keeps logback.xml's WARN");
    assertEquals(0, run("log-level", "--socket", socket.toString()), err);
    assertEquals("debug", out.strip());
    assertEquals(0, run("log-level", "warn", "--socket", socket.toString()), err);
    assertEquals("warn (was debug)", out.strip());
    assertEquals(false, vxmesh.isInfoEnabled());
  }

  @Test
  void aBadLevelIsAUsageErrorAndChangesNothing() {
    assertEquals(2, run("log-level", "loud", "--socket", socket.toString()));
    assertTrue(err.contains("'loud' is not one of trace, debug, info, warn, error"), err);
    assertEquals("info", LogLevels.current());
  }

  @Test
  void theAgentRejectsABadLevelFromAnyClient() {
    Response r = AgentApi.logLevel("loud");
    assertEquals("'loud' is not one of trace, debug, info, warn, error", r.getError().getMessage());
  }

  @KernelTest
  @Test
  void anotherUserMayReadButNotChangeTheLevel() throws Exception {
    assumeTrue(root(), "SKIPPED LOUDLY: needs root to run the client as uid 65534");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "SKIPPED LOUDLY: setpriv (util-linux) missing");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    String[] change = asNobody("log-level", "debug");
    assertEquals("1", change[0], change[2]);
    assertEquals("vxmesh: the agent says: changing the log level needs root (uid 0); you are uid 65534", change[2].strip());
    assertEquals("info", LogLevels.current(), "unchanged");
    String[] read = asNobody("log-level");
    assertEquals("0", read[0], read[2]);
    assertEquals("info", read[1].strip());
  }

  private String[] asNobody(String... args) throws Exception {
    String jar = System.getProperty("vxmesh.jar", "target/vxmesh.jar");
    assertTrue(Files.isRegularFile(Path.of(jar)), "built jar at " + jar);
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
        "--clear-groups", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto",
        "-XX:TieredStopAtLevel=1", "-jar", jar));
    cmd.addAll(java.util.List.of(args));
    cmd.add("--socket");
    cmd.add(socket.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    p.getOutputStream().close();
    byte[] o = p.getInputStream().readAllBytes();
    byte[] e = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client finished");
    return new String[] {String.valueOf(p.exitValue()), new String(o, StandardCharsets.UTF_8), new String(e, StandardCharsets.UTF_8)};
  }
}
