package io.vxmesh.lab.bench;

import io.vxmesh.gossip.GossipSettings;
import io.vxmesh.lab.testbed.AgentToml;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SWIM timers an agent of a benchmark runs with. {@link #VXMESH} is the shipped default
 * (config/vxmesh.toml); {@link #ATOMIX} is Atomix 3.1.12's own default
 * ({@code SwimMembershipProtocolConfig}: gossip 250 ms, fanout 2, probe 1000 ms, probe timeout
 * 2000 ms, 3 suspect probes, failure timeout 10000 ms), the baseline of the join and failure
 * scenarios. Both run through vxmesh's own code, so the difference is the timers alone.
 */
enum TimerSet {
  VXMESH("vxmesh", Map.of()),
  ATOMIX("atomix-defaults", atomixDefaults());

  private final String label;
  private final Map<String, Object> keys;

  TimerSet(String label, Map<String, Object> keys) {
    this.label = label;
    this.keys = keys;
  }

  String label() {
    return label;
  }

  AgentToml apply(AgentToml c) {
    AgentToml out = c;
    for (Map.Entry<String, Object> e : keys.entrySet()) {
      out = out.with(e.getKey(), e.getValue());
    }
    return out;
  }

  /** The same timers for an in-process {@code AtomixMembership} (the spread and gossip scenarios). */
  GossipSettings.GossipTimers gossipTimers() {
    GossipSettings.GossipTimers d = GossipSettings.GossipTimers.defaults();
    if (this == VXMESH) {
      return d;
    }
    return new GossipSettings.GossipTimers(Duration.ofMillis(250), 2, Duration.ofMillis(1000), Duration.ofMillis(2000), 3,
        Duration.ofMillis(10000), d.restartGrace(), d.failedRetention(), d.joinTimeout(), d.rejoinMaxBackoff(), d.leaveWait());
  }

  /** "vxmesh" or "atomix" (also "atomix-defaults"). */
  static TimerSet parse(String s) {
    return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "vxmesh" -> VXMESH;
      case "atomix", "atomix-defaults" -> ATOMIX;
      default -> throw new IllegalArgumentException("unknown timer set '" + s + "' (vxmesh, atomix)");
    };
  }

  private static Map<String, Object> atomixDefaults() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("gossip.gossip_interval_ms", 250);
    m.put("gossip.gossip_fanout", 2);
    m.put("gossip.probe_interval_ms", 1000);
    m.put("gossip.probe_timeout_ms", 2000);
    m.put("gossip.suspect_probes", 3);
    m.put("gossip.failure_timeout_ms", 10000);
    return Map.copyOf(m);
  }
}
