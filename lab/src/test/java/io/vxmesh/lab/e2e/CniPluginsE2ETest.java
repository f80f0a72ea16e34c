package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vxmesh.lab.testbed.CniPods;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.PingResult;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.lab.testbed.Tools;
import io.vxmesh.testing.E2ETest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
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
 * container runtime ({@link CniPods}): it makes a pod namespace per host, runs the {@code bridge}
 * plugin (which calls {@code host-local}) with {@code CNI_COMMAND=ADD} in the host's namespace and
 * the per-plugin config built from the list on stdin, pings pod to pod, then runs {@code DEL} and
 * sees host-local release the address.
 */
@ExtendWith(DiagnoseOnFailure.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@E2ETest
class CniPluginsE2ETest implements DiagnoseOnFailure.Source {
  static final Duration PLUGIN = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private Testbed tb;
  private CniPods pods;

  @Override
  public Testbed testbed() {
    return tb;
  }

  @BeforeAll
  void twoHostsWithAgentsWritingAConflist() {
    Mesh.requireRootAndAgent();
    assertTrue(Tools.onPath().missing(Tools.CNI_PLUGINS).isEmpty(),
        "the reference CNI plugins are missing: apt-get install containernetworking-plugins");
    tb = Testbed.create(2, false);
    pods = new CniPods(tb);
    for (Host h : tb.hosts()) {
      tb.startAgent(h, tb.agentToml(h).with("cni.conflist", pods.conflist(h).toString()));
    }
    tb.awaitConverged(tb.hosts(), Mesh.CONVERGE, line -> { });
  }

  @AfterAll
  void removeEverything() {
    if (tb != null) {
      pods.close();
      tb.close();
    }
  }

  @Test
  void podsMadeByTheBridgePluginPingAcrossTheMeshAndDelReleasesTheAddress() throws Exception {
    Map<Host, CniPods.Pod> made = new HashMap<>();
    for (Host h : tb.hosts()) {
      String env = Files.readString(tb.dir().resolve(h.name() + ".subnet.env"));
      String gateway = h.spec().podCidr().address().getHostAddress().replaceAll("\\.0$", ".1");
      assertTrue(env.contains("\nFLANNEL_SUBNET=" + gateway + "/" + h.spec().podCidr().prefixLength() + "\n"),
          "the agent's subnet.env names the pod CIDR with its gateway: " + env);
      CniPods.Pod pod = pods.add(h, PLUGIN);
      System.out.printf("e2e cni ADD host=%s pod=%s%nstdout: %s%n", h.name(), pod.ns(), pod.addResult().strip());
      assertTrue(h.spec().podCidr().contains(pod.ip()), pod.cidr() + " is in " + h.name() + "'s pod CIDR " + h.spec().podCidr());
      assertEquals(h.spec().podCidr().prefixLength(), pod.prefixLength());
      assertTrue(pods.leased(h, pod.ip()), "host-local recorded " + pod.ip());
      made.put(h, pod);
      String mtu = tb.topology().exec(pod.ns(), PLUGIN, "cat", "/sys/class/net/eth0/mtu").orThrow().stdout().strip();
      String want = JSON.readTree(Files.readString(pods.conflist(h))).get("plugins").get(0).get("mtu").asText();
      assertEquals(want, mtu, "the pod's MTU is the VTEP MTU from the conflist");
    }

    Host a = tb.host(0);
    Host b = tb.host(1);
    for (Host[] pair : new Host[][] {{a, b}, {b, a}}) {
      CniPods.Pod from = made.get(pair[0]);
      CniPods.Pod to = made.get(pair[1]);
      PingResult p = tb.pings().ping(from.ns(), to.ip(), 3, Duration.ofMillis(100), Duration.ofSeconds(5));
      System.out.printf("e2e cni ping %s -> %s %s%n", from.ns(), to.ip().getHostAddress(), p);
      assertTrue(p.allReceived(), "pod of " + pair[0].name() + " pings pod of " + pair[1].name() + ": " + p);
      assertEquals(62, p.ttl(), "two routed hops (each host) with VXLAN between: " + p);
    }

    for (Host h : tb.hosts()) {
      CniPods.Pod pod = made.get(h);
      ExecResult link = tb.topology().exec(pod.ns(), PLUGIN, "ip", "-o", "link", "show", "eth0");
      assertTrue(link.ok(), "the pod has its eth0 before DEL: " + link.describeFailure());
      ExecResult del = pods.del(pod);
      System.out.printf("e2e cni DEL host=%s pod=%s exit=%d%n", h.name(), pod.ns(), del.exitCode());
      assertEquals(0, del.exitCode(), "bridge DEL on " + h.name() + ": " + del.stderr());
      assertFalse(pods.leased(h, pod.ip()), "host-local released " + pod.ip().getHostAddress());
      assertFalse(Testbed.listNamespaces().contains(pod.ns()), "the pod namespace is gone");
    }
  }
}
