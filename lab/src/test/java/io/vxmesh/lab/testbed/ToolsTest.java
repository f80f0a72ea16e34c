package io.vxmesh.lab.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The up-front check for the commands the testbed and the demo exec, on described PATHs. */
class ToolsTest {
  @TempDir Path dir;

  /** An executable file {@code name} in {@code sub} (created), which does nothing. */
  Path command(String sub, String name) throws IOException {
    Path d = Files.createDirectories(dir.resolve(sub));
    Path f = d.resolve(name);
    Files.writeString(f, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    return f;
  }

  @Test
  void aPathWithoutPingLacksPingAndSaysWhichPackageHasIt() throws IOException {
    command("a", "ip");
    command("b", "bridge");
    command("b", "sysctl");
    command("b", "kill");
    Tools tools = new Tools(dir.resolve("a") + ":" + dir.resolve("b"));
    assertEquals(List.of(Tools.PING), tools.missing(Tools.TESTBED));
    Tools.MissingToolsException e = assertThrows(Tools.MissingToolsException.class, () -> tools.require(Tools.TESTBED));
    assertEquals("missing tools: ping (apt-get install iputils-ping)", e.getMessage());
  }

  @Test
  void aFileThatIsNotExecutableOrADirectoryIsNoTool() throws IOException {
    command("a", "ip");
    command("a", "bridge");
    Files.setPosixFilePermissions(command("a", "ping"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.createDirectories(dir.resolve("a/sysctl"));
    Tools tools = new Tools(dir.resolve("a").toString());
    assertEquals(List.of(Tools.PING, Tools.SYSCTL, Tools.KILL), tools.missing(Tools.TESTBED));
    assertEquals("missing tools: ping, sysctl, kill (apt-get install iputils-ping procps)",
        assertThrows(Tools.MissingToolsException.class, () -> tools.require(Tools.TESTBED)).getMessage(),
        "one line, every tool, each package once");
  }

  @Test
  void cniPluginsAreLookedUpInTheirDirectoryNotOnPathAndNameTheirPackage() throws IOException {
    Path cni = command("cni", "bridge").getParent();
    command("bin", "host-local"); // on PATH, but that is not where a runtime looks
    List<Tools.Tool> plugins = List.of(new Tools.Tool("bridge", "containernetworking-plugins", cni),
        new Tools.Tool("host-local", "containernetworking-plugins", cni));
    Tools tools = new Tools(dir.resolve("bin").toString());
    assertEquals(List.of(plugins.get(1)), tools.missing(plugins));
    assertEquals("missing tools: " + cni.resolve("host-local") + " (apt-get install containernetworking-plugins)",
        assertThrows(Tools.MissingToolsException.class, () -> tools.require(plugins)).getMessage());
    assertEquals(Path.of("/usr/lib/cni"), Tools.cniPath(null), "Debian's place unless CNI_PATH says otherwise");
    assertEquals(Path.of("/opt/cni/bin"), Tools.cniPath("/opt/cni/bin:/usr/lib/cni"));
    assertEquals(Tools.CNI_PATH, Tools.CNI_PLUGINS.get(0).directory());
  }

  @Test
  void everyToolPresentIsNothingMissing() throws IOException {
    for (Tools.Tool t : Tools.TESTBED) {
      command("bin", t.command());
    }
    Tools tools = new Tools("/nonexistent:" + dir.resolve("bin"));
    assertEquals(List.of(), tools.missing(Tools.TESTBED));
    tools.require(Tools.TESTBED);
  }

  @Test
  void anEmptyPathHasNothing() {
    assertEquals(Tools.TESTBED, new Tools("/nonexistent").missing(Tools.TESTBED));
  }

  /** The real lab jar on a machine without ping: one line, exit 69, before any namespace is built. */
  @Test
  void theDemoStopsBeforeAnythingStartsWhenPingIsMissing() throws Exception {
    for (String c : List.of("ip", "bridge", "sysctl", "kill")) {
      command("bin", c);
    }
    ProcessBuilder pb = new ProcessBuilder(AgentProcess.javaBinary(), "-XX:TieredStopAtLevel=1", "-jar",
        System.getProperty("vxmesh.lab.jar", "target/vxmesh-lab.jar"), "demo");
    pb.environment().put("PATH", dir.resolve("bin").toString());
    Path out = dir.resolve("out");
    Process p = pb.redirectOutput(out.toFile()).start();
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(true, p.waitFor(60, TimeUnit.SECONDS));
    assertEquals("vxmesh-lab demo: missing tools: ping (apt-get install iputils-ping)", stderr.strip());
    assertEquals(69, p.exitValue(), "EX_UNAVAILABLE");
    assertEquals("", Files.readString(out), "nothing was built");
  }
}
