package io.vxmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.gossip.ClusterKey;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.testing.KernelTest;
import io.vxmesh.testing.KeyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host defaults and host checks as the real agent resolves them inside a network namespace: the
 * JVM must see its own namespace's default route, devices, addresses and MTU, not the root
 * namespace's. Runs the real jar ({@code vxmesh config}) under {@code ip netns exec} in a fresh,
 * tagged namespace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@KernelTest
class SystemHostInfoNetnsTest {
  @TempDir Path dir;
  private String ns;
  private String dev;
  private String peer;
  private Thread cleanup;

  /**
   * A fresh namespace: {@code dev} with 10.99.0.5 and 10.99.0.6 (MTU 1400) and the default route,
   * and its veth peer {@code peer}, up but without any address.
   */
  @BeforeAll
  void namespace() throws Exception {
    TestNetns.assumeRoot();
    String tag = "vxt" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt()).substring(0, 4);
    ns = tag + "cfg";
    dev = tag + "a";
    peer = tag + "b";
    String name = ns;
    cleanup = new Thread(() -> quietly("ip", "netns", "del", name));
    Runtime.getRuntime().addShutdownHook(cleanup);
    sh("ip", "netns", "add", ns);
    sh("ip", "-n", ns, "link", "add", dev, "type", "veth", "peer", "name", peer);
    sh("ip", "-n", ns, "addr", "add", "10.99.0.5/24", "dev", dev);
    sh("ip", "-n", ns, "addr", "add", "10.99.0.6/24", "dev", dev);
    sh("ip", "-n", ns, "link", "set", dev, "mtu", "1400", "up");
    sh("ip", "-n", ns, "link", "set", peer, "up");
    sh("ip", "-n", ns, "route", "add", "default", "via", "10.99.0.1");
  }

  @AfterAll
  void removeNamespace() throws Exception {
    if (ns == null) {
      return;
    }
    quietly("ip", "netns", "del", ns);
    Runtime.getRuntime().removeShutdownHook(cleanup);
    assertTrue(!sh("ip", "netns", "list").contains(ns), "namespace removed");
  }

  /** {@code vxmesh config} of {@code gossipAndNetwork} (plus a key and the required network keys), run by the real jar in the namespace. */
  Result config(String gossip, String network) throws Exception {
    return config(gossip, network, "10.1.0.0/24");
  }

  Result config(String gossip, String network, String podCidr) throws Exception {
    Path key = dir.resolve("cluster.key");
    KeyFiles.write(key, ClusterKey.generate());
    Path conf = dir.resolve("vxmesh.toml");
    Files.writeString(conf, "node_name = \"n1\"\n[gossip]\nkey_file = \"" + key + "\"\n" + gossip
        + "[[network]]\nvni = 7\nvtep_address = \"179.17.1.21/24\"\npod_cidr = \"" + podCidr + "\"\n" + network);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return run("ip", "netns", "exec", ns, java, "-XX:TieredStopAtLevel=1", "-jar",
        System.getProperty("vxmesh.jar", "target/vxmesh.jar"), "config", "--config", conf.toString());
  }

  @Test
  void defaultsComeFromTheAgentsOwnNamespace() throws Exception {
    Result r = config("", "");
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains("advertise = \"10.99.0.5\""), "primary address of the default-route device:\n" + r.out());
    assertTrue(r.out().contains("underlay = \"" + dev + "\""), r.out());
    assertTrue(r.out().contains("mtu = 1350"), "underlay MTU 1400 - 50:\n" + r.out());
  }

  @Test
  void anAdvertiseOfAnotherHostIsRefusedWithTheNamespacesAddresses() throws Exception {
    Result r = config("advertise = \"10.211.55.5\"\n", "");
    assertEquals(78, r.code(), r.out());
    assertEquals(dir.resolve("vxmesh.toml") + ": gossip.advertise: 10.211.55.5 is not an address of this host (its addresses: 10.99.0.5, 10.99.0.6)",
        r.out().strip());
  }

  @Test
  void anUnderlayThatIsNoDeviceHereIsRefused() throws Exception {
    Result r = config("", "underlay = \"eth9\"\nmtu = 1400\n");
    assertEquals(78, r.code(), r.out());
    assertTrue(r.out().strip().startsWith(dir.resolve("vxmesh.toml") + ": network[0].underlay: eth9 is not a device of this host (its devices: "),
        r.out());
    assertTrue(r.out().contains(dev) && r.out().contains(peer), "lists the namespace's devices: " + r.out());
  }

  @Test
  void aDeviceWithoutAddressesIsAnUnderlayAndAnySecondaryAddressAnAdvertise() throws Exception {
    Result r = config("advertise = \"10.99.0.6\"\n", "underlay = \"" + peer + "\"\nmtu = 1400\n");
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains("advertise = \"10.99.0.6\"") && r.out().contains("underlay = \"" + peer + "\""), r.out());
  }

  /** Issue 12: a pod CIDR over the underlay subnet or the gateway is refused by `vxmesh config` (exit 78). */
  @Test
  void aPodCidrOverTheNamespacesUnderlayOrGatewayIsRefused() throws Exception {
    Result r = config("", "", "10.99.0.128/25");
    assertEquals(78, r.code(), r.out());
    assertTrue(r.out().strip().startsWith(dir.resolve("vxmesh.toml") + ": network[0].pod_cidr: 10.99.0.128/25 overlaps the underlay subnet of "
        + dev + " 10.99.0.0/24"), r.out());
    r = config("", "", "0.0.0.0/0");
    assertEquals(78, r.code(), r.out());
    assertTrue(r.out().contains("network[0].pod_cidr: /0 is wider than /8"), r.out());
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
    assertEquals(Optional.of(new SystemHostInfo.DefaultRoute("eth0", IpAddresses.parseV4("192.168.0.1"))),
        SystemHostInfo.defaultRoute(lines), "the gateway, bytes in host (little-endian) order");
    assertEquals(null, SystemHostInfo.defaultRoute(List.of("wg0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0")).orElseThrow().gateway(), "no RTF_GATEWAY, no gateway");
  }

  @Test
  void procNetDevParsing() {
    List<String> lines = List.of(
        "Inter-|   Receive                                                |  Transmit",
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
        "    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0",
        "vxlan-test:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0");
    assertEquals(List.of("lo", "vxlan-test"), SystemHostInfo.devices(lines));
  }

  record Result(int code, String out) {}

  static Result run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
    return new Result(p.exitValue(), out);
  }

  static String sh(String... cmd) throws IOException, InterruptedException {
    Result r = run(cmd);
    assertEquals(0, r.code(), String.join(" ", cmd) + ": " + r.out());
    return r.out();
  }

  static void quietly(String... cmd) {
    try {
      new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      // best effort cleanup
    }
  }
}
