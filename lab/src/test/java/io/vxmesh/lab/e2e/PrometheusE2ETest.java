package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.PrometheusServer;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.lab.testbed.ThreadFreezer;
import io.vxmesh.testing.Await;
import io.vxmesh.testing.E2ETest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [metrics] listen} against a real Prometheus server (Debian's {@code prometheus}
 * 2.42): two agents in host namespaces serve {@code /metrics} on their underlay address; a third
 * host namespace, with no agent, runs Prometheus on its loopback, scraping both every second.
 * Through Prometheus' HTTP API: {@code up == 1} for both targets and the members gauge equal
 * to the mesh size; a route deleted by hand shows up as a drift repair; after one agent is killed, {@code up == 0} for it and the other's gauge
 * shows one alive member less. {@code /healthz}: 200 on a healthy agent; 503 while its reconcile
 * thread is frozen (suspended through JDWP, the rest of the JVM running), 200 again after.
 */
@ExtendWith(DiagnoseOnFailure.class)
@E2ETest
class PrometheusE2ETest implements DiagnoseOnFailure.Source {
  private static final int METRICS_PORT = 9947;
  private static final int JDWP_PORT = 5005;
  private static final int PROMETHEUS_PORT = 9090;
  /** Resync 1 s: /healthz turns 503 three seconds after the last pass. */
  private static final int RESYNC_S = 1;
  private static final Duration SCRAPED = Duration.ofSeconds(60);

  private Testbed tb;

  @Override
  public Testbed testbed() {
    return tb;
  }

  @Test
  void prometheusScrapesBothAgentsSeesTheMeshShrinkAndHealthzFollowsTheReconcileLoop(@TempDir Path promDir) throws Exception {
    Mesh.requireRootAndAgent();
    Assumptions.assumeTrue(Files.isExecutable(PrometheusServer.BINARY),
        "SKIPPED: no " + PrometheusServer.BINARY + " (apt-get install prometheus; .ci/run installs it)");
    tb = Testbed.create(3, false);
    try {
      run(promDir);
    } finally {
      tb.close();
    }
  }

  private void run(Path promDir) throws Exception {
    Host a = tb.host(0);
    Host b = tb.host(1);
    Host monitor = tb.host(2); // no agent: the Prometheus host
    List<Host> members = List.of(a, b);
    for (Host h : members) {
      var toml = tb.agentToml(h).with("metrics.listen", target(h)).with("agent.resync_interval_s", RESYNC_S);
      Path file = toml.write(tb.dir().resolve(h.name() + "-metrics.toml"));
      List<String> jvm = new ArrayList<>(AgentProcess.TEST_JVM_ARGS);
      if (h.equals(a)) {
        jvm.add(ThreadFreezer.jdwpArg(JDWP_PORT)); // only a, whose reconcile thread gets frozen
      }
      tb.agents().start(h, file, toml.socket(), jvm);
    }
    tb.awaitConverged(members, Mesh.CONVERGE, line -> { });

    try (PrometheusServer prom = PrometheusServer.start(tb.topology(), monitor.ns(), PROMETHEUS_PORT,
        PrometheusServer.config("vxmesh", members.stream().map(PrometheusE2ETest::target).toList()), promDir)) {
      System.out.println("e2e prometheus pid=" + prom.pid() + " ns=" + monitor.ns() + " listen=127.0.0.1:" + PROMETHEUS_PORT);
      Await.until(SCRAPED, "prometheus ready\n" + prom.log(), () -> !prom.isAlive() || prom.ready());
      assertTrue(prom.isAlive(), "prometheus exited:\n" + prom.log());

      // 1) Both targets up, and each agent counts the whole mesh (2) as alive.
      Map<String, Double> up = awaitQuery(prom, "up{job=\"vxmesh\"}", r -> r.size() == 2 && r.values().stream().allMatch(v -> v == 1.0));
      assertEquals(Map.of(instance(a), 1.0, instance(b), 1.0), byInstance(up));
      Map<String, Double> alive = awaitQuery(prom, "vxmesh_members{status=\"alive\"}",
          r -> r.size() == 2 && r.values().stream().allMatch(v -> v == 2.0));
      assertEquals(Map.of(instance(a), 2.0, instance(b), 2.0), byInstance(alive));
      Map<String, Double> routes = awaitQuery(prom, "vxmesh_kernel_objects{kind=\"route\"}",
          r -> r.size() == 2 && r.values().stream().allMatch(v -> v == 1.0));
      Map<String, Double> passes = prom.query("vxmesh_reconcile_passes_total");
      Map<String, Double> info = prom.query("vxmesh_build_info");
      Map<String, Double> gossipIn = prom.query("sum by (instance, transport) (vxmesh_gossip_messages_total{direction=\"in\"})");
      System.out.println("e2e prometheus query up{job=\"vxmesh\"} -> " + up);
      System.out.println("e2e prometheus query vxmesh_members{status=\"alive\"} -> " + alive);
      System.out.println("e2e prometheus query vxmesh_kernel_objects{kind=\"route\"} -> " + routes);
      System.out.println("e2e prometheus query vxmesh_reconcile_passes_total -> " + passes);
      System.out.println("e2e prometheus query vxmesh_build_info -> " + info);
      System.out.println("e2e prometheus query sum by (instance, transport) (vxmesh_gossip_messages_total{direction=\"in\"}) -> " + gossipIn);
      assertEquals(2, info.size(), "build info from both: " + info);
      assertTrue(gossipIn.values().stream().allMatch(v -> v > 0), "gossip in counted: " + gossipIn);

      ExecResult scrape = curl(monitor, "http://" + target(a) + "/metrics");
      assertTrue(scrape.ok(), scrape.describeFailure());
      System.out.println("e2e scrape excerpt of " + target(a) + "/metrics:\n" + scrape.stdout().lines()
          .filter(l -> l.startsWith("vxmesh_") && !l.contains("_bucket")).collect(Collectors.joining("\n")));

      // 1b) A route deleted by hand on a is put back and counted as drift of kind route.
      tb.topology().execHost(a, Duration.ofSeconds(5), "ip", "route", "del", b.spec().podCidr().toString()).orThrow();
      Map<String, Double> drift = awaitQuery(prom, "vxmesh_drift_repairs_total{kind=\"route\",instance=\"" + instance(a) + "\"}",
          r -> r.size() == 1 && r.values().iterator().next() >= 1.0);
      System.out.println("e2e prometheus after `ip route del " + b.spec().podCidr() + "` on " + a.name()
          + ": vxmesh_drift_repairs_total{kind=\"route\"} -> " + drift);
      assertTrue(Mesh.hasEntriesFor(tb, a, b), "the route is back");

      // 2) /healthz: 200 while the reconcile loop runs ...
      String healthy = status(monitor, "http://" + target(a) + "/healthz");
      assertTrue(healthy.startsWith("200 ok: last reconcile pass started "), healthy);
      System.out.println("e2e healthz healthy -> " + healthy);

      // ... 503 once its thread is frozen for 3 x resync (the JVM, gossip and /metrics go on) ...
      try (ThreadFreezer frozen = ThreadFreezer.freeze(a, JDWP_PORT, "vxmesh-reconcile")) {
        System.out.println("e2e reconcile thread of " + a.name() + " frozen by pid=" + frozen.pid());
        long t0 = System.nanoTime();
        Await.until(Duration.ofSeconds(20), "/healthz 503 with the reconcile thread frozen",
            () -> status(monitor, "http://" + target(a) + "/healthz").startsWith("503 "));
        String body = status(monitor, "http://" + target(a) + "/healthz");
        System.out.printf("e2e healthz frozen -> %s (after %d ms)%n", body, (System.nanoTime() - t0) / 1_000_000);
        assertTrue(body.startsWith("503 unhealthy: last reconcile pass started ") && body.endsWith("reconcile loop stuck"), body);
        assertTrue(curl(monitor, "http://" + target(a) + "/metrics").ok(), "metrics still served while the loop is stuck");
      }
      // ... and 200 again once the thread runs.
      Await.until(Duration.ofSeconds(20), "/healthz 200 after the thaw",
          () -> status(monitor, "http://" + target(a) + "/healthz").startsWith("200 "));

      // 3) Kill b: Prometheus sees its target down and a's gauge drop to 1 alive.
      tb.agent(b).kill();
      Map<String, Double> upAfter = awaitQuery(prom, "up{job=\"vxmesh\"}",
          r -> r.getOrDefault(label(b), -1.0) == 0.0 && r.getOrDefault(label(a), -1.0) == 1.0);
      Map<String, Double> aliveAfter = awaitQuery(prom, "vxmesh_members{status=\"alive\",instance=\"" + instance(a) + "\"}",
          r -> r.size() == 1 && r.values().iterator().next() == 1.0);
      Map<String, Double> byStatus = prom.query("vxmesh_members{instance=\"" + instance(a) + "\"} > 0");
      System.out.println("e2e prometheus after kill -9 of " + b.name() + ": up -> " + upAfter);
      System.out.println("e2e prometheus after kill -9 of " + b.name() + ": vxmesh_members{status=\"alive\"} -> " + aliveAfter);
      System.out.println("e2e prometheus after kill -9 of " + b.name() + ": vxmesh_members > 0 -> " + byStatus);
      assertEquals(2.0, byStatus.values().stream().mapToDouble(Double::doubleValue).sum(),
          "b is still listed (failed or suspect) next to a: " + byStatus);
    }
  }

  private static String target(Host h) {
    return h.spec().underlayIp().getHostAddress() + ":" + METRICS_PORT;
  }

  private static String instance(Host h) {
    return target(h);
  }

  /** The labels of {@code up{job="vxmesh"}} for h's target, as {@link PrometheusServer#query} renders them. */
  private static String label(Host h) {
    return "{__name__=\"up\",instance=\"" + instance(h) + "\",job=\"vxmesh\"}";
  }

  private static Map<String, Double> byInstance(Map<String, Double> result) {
    return result.entrySet().stream().collect(Collectors.toMap(
        e -> e.getKey().replaceAll(".*instance=\"([^\"]+)\".*", "$1"), Map.Entry::getValue));
  }

  private static Map<String, Double> awaitQuery(PrometheusServer prom, String promql,
      java.util.function.Predicate<Map<String, Double>> done) {
    Map<String, Double>[] last = new Map[] {Map.of()};
    Await.until(SCRAPED, "prometheus: " + promql, () -> done.test(last[0] = prom.query(promql)));
    return last[0];
  }

  private ExecResult curl(Host from, String url) {
    return tb.topology().execHost(from, Duration.ofSeconds(10), "curl", "-sS", "--max-time", "5", url);
  }

  /** "CODE BODY" of a GET ("000 ..." when nothing answered). */
  private String status(Host from, String url) {
    ExecResult r = tb.topology().execHost(from, Duration.ofSeconds(10), "curl", "-sS", "--max-time", "5",
        "-w", "%{http_code}", url);
    String out = r.stdout();
    if (out.length() < 3) {
      return "000 " + r.describeFailure();
    }
    return out.substring(out.length() - 3) + " " + out.substring(0, out.length() - 3).strip();
  }
}
