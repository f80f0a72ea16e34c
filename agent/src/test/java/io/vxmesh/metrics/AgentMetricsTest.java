package io.vxmesh.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.gossip.GossipStats;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.net.HostPort;
import io.vxmesh.reconcile.Reconciler;
import io.vxmesh.testing.ManualClock;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The registry's contents as Prometheus scrapes them (the real client library's text format,
 * over its real HTTP server on loopback) and {@code /healthz}, fed from fixed snapshots.
 */
class AgentMetricsTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  private static final java.net.InetAddress LOOPBACK = java.net.InetAddress.getLoopbackAddress();
  private final ManualClock clock = new ManualClock(T0);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static MemberState member(String name, MemberStatus status, boolean self) {
    return new MemberState(name, HostPort.parse("10.211.55.9:7947"), status, null, "", self);
  }

  private static final MembershipView VIEW = new MembershipView(7, true, List.of(
      member("master1", MemberStatus.ALIVE, true), member("node1", MemberStatus.ALIVE, false),
      member("node2", MemberStatus.FAILED, false), member("node3", MemberStatus.CONFLICT, false)));

  private static final GossipStats STATS = new GossipStats(5, Map.of("192.0.2.9:7947", 5L), 2,
      Map.of("bad_mac", 4L, "malformed", 1L), Map.of("bad_signature", 2L),
      Map.of("udp/in/messages", 10L, "udp/in/bytes", 1000L, "udp/out/messages", 12L, "udp/out/bytes", 1300L,
          "tcp/in/messages", 3L, "tcp/in/bytes", 300L, "tcp/out/messages", 4L, "tcp/out/bytes", 420L), 3);

  private HttpResponse<String> get(MetricsServer s, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void has(String body, String line) {
    assertTrue(body.lines().anyMatch(line::equals), "scrape lacks '" + line + "':\n" + body);
  }

  @Test
  void aScrapeShowsEveryMetricWithPrometheusNamesAndTheFedValues() throws Exception {
    AgentMetrics m = new AgentMetrics(() -> VIEW, () -> STATS, clock, "1.2.3");
    m.passed(new Reconciler.Pass(Duration.ofMillis(3), 0, true, Map.of("neighbour", 2, "fdb", 2, "nexthop", 2, "route", 2),
        Map.of("route", 1)));
    m.passed(new Reconciler.Pass(Duration.ofMillis(40), 2, true, Map.of("neighbour", 1, "fdb", 1, "nexthop", 1, "route", 1),
        Map.of("route", 1, "fdb", 1, "device", 1)));
    clock.advance(Duration.ofSeconds(90));
    try (MetricsServer s = MetricsServer.start(LOOPBACK, 0, m.registry(), () -> new Reconciler.Health(true, "fine"))) {
      HttpResponse<String> r = get(s, "/metrics");
      assertEquals(200, r.statusCode());
      String body = r.body();
      System.out.println("scrape excerpt:\n" + body);
      has(body, "vxmesh_build_info{version=\"1.2.3\"} 1");
      has(body, "# TYPE vxmesh_members gauge");
      has(body, "vxmesh_members{status=\"alive\"} 2.0");
      has(body, "vxmesh_members{status=\"failed\"} 1.0");
      has(body, "vxmesh_members{status=\"conflict\"} 1.0");
      has(body, "vxmesh_members{status=\"suspect\"} 0.0");
      has(body, "# TYPE vxmesh_gossip_rejected_total counter");
      has(body, "vxmesh_gossip_rejected_total{reason=\"bad_mac\"} 4.0");
      has(body, "vxmesh_gossip_rejected_total{reason=\"malformed\"} 1.0");
      has(body, "vxmesh_gossip_rejected_total{reason=\"stale\"} 0.0");
      has(body, "vxmesh_announcements_rejected_total{reason=\"bad_signature\"} 2.0");
      has(body, "vxmesh_members_refused_total 3.0");
      has(body, "vxmesh_gossip_messages_total{direction=\"out\",transport=\"udp\"} 12.0");
      has(body, "vxmesh_gossip_bytes_total{direction=\"in\",transport=\"tcp\"} 300.0");
      has(body, "# TYPE vxmesh_reconcile_passes_total counter");
      has(body, "vxmesh_reconcile_passes_total 2.0");
      has(body, "vxmesh_reconcile_errors_total 2.0");
      has(body, "# TYPE vxmesh_reconcile_duration_seconds histogram");
      has(body, "vxmesh_reconcile_duration_seconds_bucket{le=\"0.0025\"} 0");
      has(body, "vxmesh_reconcile_duration_seconds_bucket{le=\"0.005\"} 1");
      has(body, "vxmesh_reconcile_duration_seconds_bucket{le=\"0.05\"} 2");
      has(body, "vxmesh_reconcile_duration_seconds_count 2");
      has(body, "vxmesh_kernel_objects{kind=\"route\"} 1.0");
      has(body, "vxmesh_kernel_objects{kind=\"neighbour\"} 1.0");
      has(body, "vxmesh_drift_repairs_total{kind=\"route\"} 2.0");
      has(body, "vxmesh_drift_repairs_total{kind=\"device\"} 1.0");
      has(body, "vxmesh_drift_repairs_total{kind=\"neighbour\"} 0.0");
      assertTrue(body.lines().anyMatch(l -> l.startsWith("jvm_memory_used_bytes{area=\"heap\"} ")), "JVM metrics:\n" + body);
      assertTrue(body.lines().anyMatch(l -> l.startsWith("process_cpu_seconds_total ")), "process metrics:\n" + body);
      // The last error-free pass on a complete view was the first one, 90 s ago.
      has(body, "vxmesh_full_view_age_seconds 90.0");
    }
  }

  @Test
  void fullViewAgeCountsFromTheStartUntilAPassConvergesACompleteView() throws Exception {
    AgentMetrics m = new AgentMetrics(() -> VIEW, () -> STATS, clock, "1.2.3");
    try (MetricsServer s = MetricsServer.start(LOOPBACK, 0, m.registry(), () -> new Reconciler.Health(true, ""))) {
      clock.advance(Duration.ofSeconds(7));
      m.passed(new Reconciler.Pass(Duration.ofMillis(1), 0, false, Map.of(), Map.of()));
      has(get(s, "/metrics").body(), "vxmesh_full_view_age_seconds 7.0");
      m.passed(new Reconciler.Pass(Duration.ofMillis(1), 0, true, Map.of(), Map.of()));
      clock.advance(Duration.ofMillis(1500));
      has(get(s, "/metrics").body(), "vxmesh_full_view_age_seconds 1.5");
    }
  }

  @Test
  void healthzIs200WhileHealthyAnd503WithTheReasonOtherwise() throws Exception {
    AgentMetrics m = new AgentMetrics(() -> VIEW, () -> STATS, clock, "1.2.3");
    AtomicReference<Reconciler.Health> health = new AtomicReference<>(new Reconciler.Health(true, "last pass 10 ms ago"));
    try (MetricsServer s = MetricsServer.start(LOOPBACK, 0, m.registry(), health::get)) {
      HttpResponse<String> ok = get(s, "/healthz");
      assertEquals(200, ok.statusCode());
      assertEquals("ok: last pass 10 ms ago\n", ok.body());
      health.set(new Reconciler.Health(false, "reconcile loop stuck"));
      HttpResponse<String> bad = get(s, "/healthz");
      assertEquals(503, bad.statusCode());
      assertEquals("unhealthy: reconcile loop stuck\n", bad.body());
      assertEquals(404, get(s, "/nothing").statusCode());
      assertEquals(404, get(s, "/-/healthy").statusCode(), "the library's always-yes health handler is off");
    }
  }

  @Test
  void aTakenPortFailsWithTheAddress() throws Exception {
    AgentMetrics m = new AgentMetrics(() -> VIEW, () -> STATS, clock, "1.2.3");
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      IOException e = assertThrows(IOException.class, () -> MetricsServer.start(
          new HostPort(taken.getInetAddress(), taken.getLocalPort()), m.registry(), () -> new Reconciler.Health(true, "")));
      assertTrue(e.getMessage().startsWith("cannot listen for metrics on 127.0.0.1:" + taken.getLocalPort() + ": "), e.getMessage());
    }
  }
}
