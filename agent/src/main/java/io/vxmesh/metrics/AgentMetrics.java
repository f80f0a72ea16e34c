package io.vxmesh.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vxmesh.datapath.ConvergeResult;
import io.vxmesh.gossip.GossipStats;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.reconcile.Reconciler;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The agent's Prometheus metrics, in a registry of their own (no static state). Names follow
 * Prometheus' conventions: {@code vxmesh_} prefix, base units, {@code _total} for counters; the
 * client library's JVM and process metrics ({@code jvm_*}, {@code process_*}) come along.
 *
 * <p>Fed one way, like the API: membership and gossip counters are read from their snapshots
 * ({@link MembershipView}, {@link GossipStats}) when Prometheus scrapes; the reconciler tells
 * every finished pass to {@link #passed} (it knows a {@link Reconciler.PassListener}, not
 * Prometheus). Nothing here writes back.
 */
public final class AgentMetrics implements Reconciler.PassListener {
  /** Bucket bounds of the reconcile duration: a quiet pass is ~1 ms, thousands of peers take seconds. */
  static final double[] DURATION_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  static final List<String> PACKET_REJECT_REASONS = List.of("malformed", "stale", "bad_mac", "unknown_subject", "too_large",
      "over_budget", "timeout", "connection_refused");
  static final List<String> ANNOUNCEMENT_REJECT_REASONS = List.of("missing", "too_large", "unsigned", "bad_signature", "malformed");
  static final List<String> DRIFT_KINDS = List.of("neighbour", "fdb", "nexthop", "route", "device");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Clock clock;
  private final Counter passes;
  private final Counter errors;
  private final Histogram duration;
  private final Gauge objects;
  private final Counter drift;
  private volatile long lastFullViewMs;

  /**
   * @param views the current membership view (read at scrape time)
   * @param gossip the gossip counters (read at scrape time)
   * @param version this build's version, for {@code vxmesh_build_info}
   */
  public AgentMetrics(Supplier<MembershipView> views, Supplier<GossipStats> gossip, Clock clock, String version) {
    this.clock = clock;
    this.lastFullViewMs = clock.millis();

    Info info = Info.builder().name("vxmesh_build_info").help("The running vxmesh build; always 1.")
        .labelNames("version").register(registry);
    info.setLabelValues(version);

    GaugeWithCallback.builder().name("vxmesh_members")
        .help("Members of the mesh as this agent sees them (this host included), by status.")
        .labelNames("status")
        .callback(cb -> membersByStatus(views.get()).forEach((status, n) -> cb.call(n, status.label())))
        .register(registry);

    CounterWithCallback.builder().name("vxmesh_gossip_rejected_total")
        .help("Gossip datagrams and messages dropped before decoding, by reason.")
        .labelNames("reason")
        .callback(cb -> withKnown(gossip.get().rejectedPacketsByReason(), PACKET_REJECT_REASONS).forEach((r, n) -> cb.call(n, r)))
        .register(registry);
    CounterWithCallback.builder().name("vxmesh_announcements_rejected_total")
        .help("Member announcements that failed to decode or verify (each distinct value once), by reason.")
        .labelNames("reason")
        .callback(cb -> withKnown(gossip.get().rejectedAnnouncementsByReason(), ANNOUNCEMENT_REJECT_REASONS)
            .forEach((r, n) -> cb.call(n, r)))
        .register(registry);
    CounterWithCallback.builder().name("vxmesh_members_refused_total")
        .help("Member updates refused before SWIM stored them: [gossip] max_members reached or properties too large.")
        .callback(cb -> cb.call(gossip.get().refusedMembers()))
        .register(registry);
    CounterWithCallback.builder().name("vxmesh_gossip_messages_total")
        .help("Authenticated gossip frames sent and received (received: before authentication), by transport and direction.")
        .labelNames("transport", "direction")
        .callback(cb -> traffic(gossip.get(), "messages", cb::call))
        .register(registry);
    CounterWithCallback.builder().name("vxmesh_gossip_bytes_total")
        .help("Bytes of the gossip frames counted by vxmesh_gossip_messages_total (without transport framing).")
        .labelNames("transport", "direction")
        .callback(cb -> traffic(gossip.get(), "bytes", cb::call))
        .register(registry);

    passes = Counter.builder().name("vxmesh_reconcile_passes_total")
        .help("Reconcile passes finished (with or without errors).").register(registry);
    errors = Counter.builder().name("vxmesh_reconcile_errors_total")
        .help("Errors reported by reconcile passes: failed peers or networks, passes that failed as a whole.")
        .register(registry);
    duration = Histogram.builder().name("vxmesh_reconcile_duration_seconds")
        .help("Wall time of a reconcile pass (dump, diff and apply over every network).")
        .classicOnly().classicUpperBounds(DURATION_BUCKETS).register(registry);
    objects = Gauge.builder().name("vxmesh_kernel_objects")
        .help("Kernel objects vxmesh owns on its VTEP devices after the last pass, by kind.")
        .labelNames("kind").register(registry);
    drift = Counter.builder().name("vxmesh_drift_repairs_total")
        .help("Kernel objects put back after they drifted (deleted or changed outside vxmesh), by kind.")
        .labelNames("kind").register(registry);
    DRIFT_KINDS.forEach(drift::initLabelValues);
    GaugeWithCallback.builder().name("vxmesh_full_view_age_seconds")
        .help("Seconds since a reconcile pass last converged the kernel to a complete membership view without"
            + " errors (since the agent started, until the first one).")
        .callback(cb -> cb.call(Math.max(0, clock.millis() - lastFullViewMs) / 1000.0))
        .register(registry);

    // The client's standard JVM and process metrics (heap, GC, threads, CPU, RSS, open fds):
    // the agent is a JVM sized with -Xmx, and these say when that is too small.
    JvmMetrics.builder().register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Called on the reconcile thread after every pass. */
  @Override
  public void passed(Reconciler.Pass pass) {
    passes.inc();
    if (pass.errors() > 0) {
      errors.inc(pass.errors());
    }
    duration.observe(pass.duration().toNanos() / 1e9);
    for (String kind : ConvergeResult.KINDS) {
      if (pass.objects().containsKey(kind)) {
        objects.labelValues(kind).set(pass.objects().get(kind));
      }
    }
    pass.driftRepaired().forEach((kind, n) -> drift.labelValues(kind).inc(n));
    if (pass.viewComplete() && pass.errors() == 0) {
      lastFullViewMs = clock.millis();
    }
  }

  /** Every status with its count, zeros included, so each series exists from the first scrape. */
  static Map<MemberStatus, Integer> membersByStatus(MembershipView view) {
    Map<MemberStatus, Integer> m = new EnumMap<>(MemberStatus.class);
    for (MemberStatus s : MemberStatus.values()) {
      m.put(s, 0);
    }
    for (MemberState member : view.members()) {
      m.merge(member.status(), 1, Integer::sum);
    }
    return m;
  }

  private static Map<String, Long> withKnown(Map<String, Long> counts, List<String> known) {
    Map<String, Long> m = new TreeMap<>();
    known.forEach(k -> m.put(k, 0L));
    m.putAll(counts);
    return m;
  }

  private interface Sample {
    void call(double value, String... labels);
  }

  /** {@link GossipStats#traffic()} keys are {@code transport/direction/unit}. */
  private static void traffic(GossipStats stats, String unit, Sample out) {
    for (String transport : List.of("udp", "tcp")) {
      for (String direction : List.of("in", "out")) {
        out.call(stats.traffic().getOrDefault(transport + "/" + direction + "/" + unit, 0L), transport, direction);
      }
    }
  }
}
