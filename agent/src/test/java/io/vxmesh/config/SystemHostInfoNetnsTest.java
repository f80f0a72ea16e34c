package io.vxmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vxmesh.gossip.ClusterKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host defaults as the real agent resolves them inside a network namespace: the JVM must see
 * its own namespace's default route, addresses and MTU, not the root namespace's. Runs the
 * real jar ({@code vxmesh config}) under {@code ip netns exec} in a fresh, tagged namespace.
 */
class SystemHostInfoNetnsTest {
  @TempDir Path dir;

  @Test
  void defaultsComeFromTheAgentsOwnNamespace() throws Exception {
    assumeTrue(isRoot(), "SKIPPED LOUDLY: needs root to create a network namespace");
    String tag = "vxt" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt()).substring(0, 4);
    String ns = tag + "cfg";
    String dev = tag + "a";
    Thread cleanup = new Thread(() -> quietly("ip", "netns", "del", ns));
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      sh("ip", "netns", "add", ns);
      sh("ip", "-n", ns, "link", "add", dev, "type", "veth", "peer", "name", tag + "b");
      sh("ip", "-n", ns, "addr", "add", "10.99.0.5/24", "dev", dev);
      sh("ip", "-n", ns, "addr", "add", "10.99.0.6/24", "dev", dev);
      sh("ip", "-n", ns, "link", "set", dev, "mtu", "1400", "up");
      sh("ip", "-n", ns, "link", "set", tag + "b", "up");
      sh("ip", "-n", ns, "route", "add", "default", "via", "10.99.0.1");
      Path key = dir.resolve("cluster.key");
      Files.writeString(key, ClusterKey.generate().toBase64());
      Path conf = dir.resolve("vxmesh.toml");
      Files.writeString(conf, "node_name = \"n1\"\n[gossip]\nkey_file = \"" + key + "\"\n"
          + "[[network]]\nvni = 7\nvtep_address = \"179.17.1.21/24\"\npod_cidr = \"10.1.0.0/24\"\n");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String out = sh("ip", "netns", "exec", ns, java, "-XX:TieredStopAtLevel=1", "-jar",
          System.getProperty("vxmesh.jar", "target/vxmesh.jar"), "config", "--config", conf.toString());
      assertTrue(out.contains("advertise = \"10.99.0.5\""), "primary address of the default-route device:\n" + out);
      assertTrue(out.contains("underlay = \"" + dev + "\""), out);
      assertTrue(out.contains("mtu = 1350"), "underlay MTU 1400 - 50:\n" + out);
    } finally {
      quietly("ip", "netns", "del", ns);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    assertTrue(!sh("ip", "netns", "list").contains(ns), "namespace removed");
  }

  @Test
  void procNetRouteParsing() {
    List<String> lines = List.of(
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
        "eth1\t00000000\t0100630A\t0003\t0\t0\t200\t00000000\t0\t0\t0",
        "eth0\t00000000\t0100A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0",
        "eth2\t00000000\t0100A8C0\t0002\t0\t0\t1\t00000000\t0\t0\t0",
        "eth0\t0000630A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0");
    assertEquals(Optional.of("eth0"), SystemHostInfo.defaultRouteDevice(lines), "lowest metric among default routes that are up");
    assertEquals(Optional.empty(), SystemHostInfo.defaultRouteDevice(lines.subList(4, 5)));
  }

  static boolean isRoot() throws IOException {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
  }

  static String sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    return out;
  }

  static void quietly(String... cmd) {
    try {
      new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      // best effort cleanup
    }
  }
}
