package io.vxmesh.lab.bench;

import io.vxmesh.gossip.GossipProtocol;
import io.vxmesh.gossip.GossipSettings;
import io.vxmesh.lab.testbed.AgentToml;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * What an agent of a benchmark runs: a membership protocol ({@code [gossip] protocol}) and its
 * timers. The benchmarks take a comma list of these ({@code --timers vxmesh,before}) and measure
 * each in the same run, so the baselines see the same box load:
 * <ul>
 *   <li>{@link #VXMESH} "vxmesh": the shipped defaults (config/vxmesh.toml), vxmesh's SWIM +
 *       Lifeguard protocol;
 *   <li>{@link #BEFORE} "before": Atomix 3.1.12's SwimMembershipProtocol with the timers shipped
 *       before issue 11 (the same as today's defaults but gossip fanout 3) — the agent as it was;
 *   <li>{@link #ATOMIX} "atomix-defaults": Atomix's protocol with Atomix's own default timers
 *       ({@code SwimMembershipProtocolConfig}: gossip 250 ms, fanout 2, probe 1000 ms, probe
 *       timeout 2000 ms, 3 suspect probes, failure timeout 10000 ms) — plain Atomix.
 * </ul>
 * All three run through vxmesh's own agent code (signed announcements, validator, tracker).
 */
enum TimerSet {
  VXMESH("vxmesh", "", GossipProtocol.VXMESH, Map.of()),
  BEFORE("before", "before_", GossipProtocol.ATOMIX, before()),
  ATOMIX("atomix-defaults", "atomix_", GossipProtocol.ATOMIX, atomixDefaults());

  /** The variants a benchmark runs when {@code --timers} is not given: ours and the agent as it was before. */
  static final String DEFAULT_LIST = "vxmesh,before";
  /** The {@code --timers} help text shared by the benchmarks. */
  static final String HELP = "Variants, comma-separated, measured in this order in the same run: vxmesh (shipped defaults),"
      + " before (Atomix's SWIM protocol with the timers shipped before issue 11), atomix-defaults (Atomix's protocol and"
      + " timers; also 'atomix'). Default ${DEFAULT-VALUE}.";

  private static final int BEFORE_FANOUT = 3;

  private final String label;
  private final String keyPrefix;
  private final GossipProtocol protocol;
  private final Map<String, Object> keys;

  TimerSet(String label, String keyPrefix, GossipProtocol protocol, Map<String, Object> keys) {
    this.label = label;
    this.keyPrefix = keyPrefix;
    this.protocol = protocol;
    this.keys = keys;
  }

  String label() {
    return label;
  }

  /**
   * The prefix of this variant's keys in a summary line: "" for vxmesh (the keys the lines had
   * before there were variants), "before_", "atomix_" (as before for Atomix's timers).
   */
  String keyPrefix() {
    return keyPrefix;
  }

  GossipProtocol protocol() {
    return protocol;
  }

  /** The agent config keys this variant sets (empty for the shipped defaults). */
  Map<String, Object> keys() {
    return keys;
  }

  AgentToml apply(AgentToml c) {
    AgentToml out = c;
    for (Map.Entry<String, Object> e : keys.entrySet()) {
      out = out.with(e.getKey(), e.getValue());
    }
    return out;
  }

  /** The same timers for an in-process {@code AtomixMembership} (the spread and gossip scenarios); see {@link #settings}. */
  GossipSettings.GossipTimers gossipTimers() {
    GossipSettings.GossipTimers d = GossipSettings.GossipTimers.defaults();
    return switch (this) {
      case VXMESH -> d;
      case BEFORE -> new GossipSettings.GossipTimers(d.gossipInterval(), BEFORE_FANOUT, d.probeInterval(), d.probeTimeout(),
          d.suspectProbes(), d.failureTimeout(), d.restartGrace(), d.failedRetention(), d.joinTimeout(), d.rejoinMaxBackoff(),
          d.leaveWait());
      case ATOMIX -> new GossipSettings.GossipTimers(Duration.ofMillis(250), 2, Duration.ofMillis(1000), Duration.ofMillis(2000), 3,
          Duration.ofMillis(10000), d.restartGrace(), d.failedRetention(), d.joinTimeout(), d.rejoinMaxBackoff(), d.leaveWait());
    };
  }

  /** {@code s} (built with {@link #gossipTimers()}) with this variant's protocol. */
  GossipSettings settings(GossipSettings s) {
    return s.withProtocol(protocol);
  }

  /** "vxmesh", "before", "atomix-defaults" (also "atomix"). */
  static TimerSet parse(String s) {
    return switch (s.strip().toLowerCase(Locale.ROOT)) {
      case "vxmesh" -> VXMESH;
      case "before" -> BEFORE;
      case "atomix", "atomix-defaults" -> ATOMIX;
      default -> throw new IllegalArgumentException("unknown variant '" + s.strip() + "' (vxmesh, before, atomix-defaults)");
    };
  }

  /**
   * The variants of a {@code --timers} list, in its order, each once (picocli has already split
   * at commas; a single "a,b" element is split too). Empty or unknown names: an
   * {@link IllegalArgumentException} naming the choices.
   */
  static List<TimerSet> parseList(List<String> names) {
    List<TimerSet> out = new ArrayList<>();
    for (String n : names == null ? List.<String>of() : names) {
      for (String part : n.split(",")) {
        if (part.isBlank()) {
          continue;
        }
        TimerSet t = parse(part);
        if (!out.contains(t)) {
          out.add(t);
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--timers names no variant (vxmesh, before, atomix-defaults)");
    }
    return List.copyOf(out);
  }

  /**
   * Checks each {@code --timers} name as picocli reads it, so an unknown one is a usage error
   * (exit 2, "Invalid value for option '--timers': unknown variant 'fast' (...)"), not a stack trace.
   */
  static final class Name implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        parse(value);
        return value;
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** Labels joined by commas, for the summary lines' {@code variants=} key. */
  static String labels(List<TimerSet> sets) {
    return String.join(",", sets.stream().map(TimerSet::label).toList());
  }

  private static Map<String, Object> before() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("gossip.protocol", GossipProtocol.ATOMIX.key());
    m.put("gossip.gossip_fanout", BEFORE_FANOUT);
    return Map.copyOf(m);
  }

  private static Map<String, Object> atomixDefaults() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("gossip.protocol", GossipProtocol.ATOMIX.key());
    m.put("gossip.gossip_interval_ms", 250);
    m.put("gossip.gossip_fanout", 2);
    m.put("gossip.probe_interval_ms", 1000);
    m.put("gossip.probe_timeout_ms", 2000);
    m.put("gossip.suspect_probes", 3);
    m.put("gossip.failure_timeout_ms", 10000);
    return Map.copyOf(m);
  }
}
