package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vxmesh.lab.testbed.Exec;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.PingResult;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.testing.E2ETest;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13: pods made by the reference CNI plugins (Debian's containernetworking-plugins) from
 * the conflist the agent wrote reach each other across the mesh. Two hosts without testbed
 * pods; each agent writes {@code [cni] conflist} (and its subnet.env) into the run directory. The test acts as a
 * container runtime: it makes a pod namespace per host, runs the {@code bridge} plugin (which
 * calls {@code host-local}) with {@code CNI_COMMAND=ADD} in the host's namespace and the
 * per-plugin config built from the list on stdin, pings pod to pod, then runs {@code DEL} and
 * sees host-local release the address.
 */
@ExtendWith(DiagnoseOnFailure.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@E2ETest
class CniPluginsE2ETest implements DiagnoseOnFailure.Source {
  static final Path CNI_PATH = Path.of("/usr/lib/cni");
  static final Duration PLUGIN = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private Testbed tb;
  private final List<String> podNamespaces = new ArrayList<>();

  @Override
  public Testbed testbed() {
    return tb;
  }

  @BeforeAll
  void twoHostsWithAgentsWritingAConflist() {
    Mesh.requireRootAndAgent();
    assertTrue(Files.isExecutable(CNI_PATH.resolve("bridge")) && Files.isExecutable(CNI_PATH.resolve("host-local")),
        "the reference CNI plugins are missing: apt-get install containernetworking-plugins");
    tb = Testbed.create(2, false);
    for (Host h : tb.hosts()) {
      tb.startAgent(h, tb.agentToml(h).with("cni.conflist", conflist(h).toString()));
    }
    tb.awaitConverged(tb.hosts(), Mesh.CONVERGE, line -> { });
  }

  @AfterAll
  void removeEverything() {
    if (tb != null) {
      for (String ns : podNamespaces) {
        Exec.run(PLUGIN, List.of("ip", "netns", "del", ns));
      }
      tb.close();
    }
  }

  Path conflist(Host h) {
    return tb.dir().resolve(h.name() + ".conflist");
  }

  Path dataDir(Host h) {
    return tb.dir().resolve(h.name() + "-ipam");
  }

  /**
   * What a runtime hands the first plugin of the list: the plugin's own object plus the list's
   * name and cniVersion; host-local's dataDir goes to the run directory instead of /var/lib/cni.
   */
  String pluginConfig(Host h) throws Exception {
    JsonNode list = JSON.readTree(Files.readString(conflist(h)));
    assertEquals(1, list.get("plugins").size(), "one plugin in the list: " + list);
    ObjectNode conf = JSON.createObjectNode();
    conf.set("cniVersion", list.get("cniVersion"));
    conf.set("name", list.get("name"));
    conf.setAll((ObjectNode) list.get("plugins").get(0).deepCopy());
    ((ObjectNode) conf.get("ipam")).put("dataDir", dataDir(h).toString());
    return JSON.writeValueAsString(conf);
  }

  /** One plugin call as a runtime makes it, inside the host's namespace. */
  ExecResult cni(Host h, String command, String podNs, String config) throws Exception {
    String type = JSON.readTree(config).get("type").asText();
    List<String> cmd = List.of("ip", "netns", "exec", h.ns(), "env", "CNI_COMMAND=" + command,
        "CNI_CONTAINERID=" + podNs, "CNI_NETNS=/run/netns/" + podNs, "CNI_IFNAME=eth0", "CNI_PATH=" + CNI_PATH,
        CNI_PATH.resolve(type).toString());
    ExecResult r = Exec.run(PLUGIN, cmd, config);
    System.out.printf("e2e cni %s host=%s pod=%s exit=%d%nstdout: %s%nstderr: %s%n", command, h.name(), podNs,
        r.exitCode(), r.stdout().strip(), r.stderr().strip());
    return r;
  }

  @Test
  void podsMadeByTheBridgePluginPingAcrossTheMeshAndDelReleasesTheAddress() throws Exception {
    Map<Host, String> pods = new HashMap<>();
    Map<Host, Inet4Address> ips = new HashMap<>();
    for (Host h : tb.hosts()) {
      String ns = tb.prefix() + "-c" + h.index();
      Exec.run(PLUGIN, List.of("ip", "netns", "add", ns)).orThrow();
      podNamespaces.add(ns);
      pods.put(h, ns);
      String env = Files.readString(tb.dir().resolve(h.name() + ".subnet.env"));
      String gateway = h.spec().podCidr().address().getHostAddress().replaceAll("\\.0$", ".1");
      assertTrue(env.contains("\nFLANNEL_SUBNET=" + gateway + "/" + h.spec().podCidr().prefixLength() + "\n"),
          "the agent's subnet.env names the pod CIDR with its gateway: " + env);
      ExecResult add = cni(h, "ADD", ns, pluginConfig(h));
      assertEquals(0, add.exitCode(), "bridge ADD on " + h.name() + ": " + add.stdout() + add.stderr());
      JsonNode result = JSON.readTree(add.stdout());
      String cidr = result.get("ips").get(0).get("address").asText();
      Inet4Address ip = IpAddresses.parseV4(cidr.substring(0, cidr.indexOf('/')));
      assertTrue(h.spec().podCidr().contains(ip), cidr + " is in " + h.name() + "'s pod CIDR " + h.spec().podCidr());
      assertEquals(h.spec().podCidr().prefixLength(), Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1)));
      assertTrue(Files.exists(dataDir(h).resolve("vxmesh").resolve(ip.getHostAddress())), "host-local recorded " + ip);
      ips.put(h, ip);
      String mtu = tb.topology().exec(ns, PLUGIN, "cat", "/sys/class/net/eth0/mtu").orThrow().stdout().strip();
      String want = JSON.readTree(Files.readString(conflist(h))).get("plugins").get(0).get("mtu").asText();
      assertEquals(want, mtu, "the pod's MTU is the VTEP MTU from the conflist");
    }

    Host a = tb.host(0);
    Host b = tb.host(1);
    for (Host[] pair : new Host[][] {{a, b}, {b, a}}) {
      PingResult p = tb.pings().ping(pods.get(pair[0]), ips.get(pair[1]), 3, Duration.ofMillis(100), Duration.ofSeconds(5));
      System.out.printf("e2e cni ping %s -> %s %s%n", pods.get(pair[0]), ips.get(pair[1]).getHostAddress(), p);
      assertTrue(p.allReceived(), "pod of " + pair[0].name() + " pings pod of " + pair[1].name() + ": " + p);
      assertEquals(62, p.ttl(), "two routed hops (each host) with VXLAN between: " + p);
    }

    for (Host h : tb.hosts()) {
      ExecResult del = cni(h, "DEL", pods.get(h), pluginConfig(h));
      assertEquals(0, del.exitCode(), "bridge DEL on " + h.name() + ": " + del.stderr());
      assertFalse(Files.exists(dataDir(h).resolve("vxmesh").resolve(ips.get(h).getHostAddress())),
          "host-local released " + ips.get(h).getHostAddress());
      ExecResult link = tb.topology().exec(pods.get(h), PLUGIN, "ip", "-o", "link", "show", "eth0");
      assertFalse(link.ok(), "DEL removed the pod's eth0: " + link.stdout());
    }
  }
}
