package io.vxmesh.lab.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text of one test host's {@code vxmesh.toml}, as the testbed writes it before starting
 * the agent: the schema of the agent issue (node_name, [gossip], [api], one [[network]]). Not
 * the agent's parsed configuration ({@code io.vxmesh.config.AgentConfig}): this record only
 * writes a file, and may write a broken one on purpose.
 *
 * <p>{@link #extra()} adds keys this class does not know yet (timers, log level) without a code
 * change: dotted names pick the table, e.g. {@code "gossip.failure_timeout" -> "2s"},
 * {@code "log_level" -> "debug"}, {@code "network.mtu" -> 1400}. An unknown key makes the agent exit 78, which is what the
 * bad-config test relies on.
 *
 * @param join gossip seed addresses, "10.211.55.5:7947"; empty starts a new mesh
 * @param vtepMac null lets the agent derive its MAC
 * @param extra additional keys, dotted by table; values are String, Number, Boolean or List
 */
public record AgentToml(
    String nodeName,
    String advertise,
    int gossipPort,
    List<String> join,
    Path keyFile,
    Path socket,
    String device,
    int vni,
    int port,
    String underlay,
    String vtepAddress,
    String vtepMac,
    String podCidr,
    Map<String, Object> extra) {

  public AgentToml {
    join = List.copyOf(join);
    extra = Map.copyOf(extra);
  }

  /** The configuration for {@code host} in {@code overlay}, joining {@code seeds} (may be empty). */
  public static AgentToml forHost(Host host, Overlay overlay, Collection<Host> seeds, Path keyFile, Path socket) {
    List<String> join = new ArrayList<>();
    for (Host s : seeds) {
      if (!s.equals(host)) {
        join.add(s.spec().underlayIp().getHostAddress() + ":" + overlay.gossipPort());
      }
    }
    HostSpec h = host.spec();
    return new AgentToml(h.name(), h.underlayIp().getHostAddress(), overlay.gossipPort(), join, keyFile, socket,
        overlay.device(), overlay.vni(), overlay.port(), host.underlayDevice(), h.vtepAddress().toString(),
        h.vtepMac() == null ? null : h.vtepMac().toString(), h.podCidr().toString(), Map.of());
  }

  public AgentToml withJoin(List<String> newJoin) {
    return new AgentToml(nodeName, advertise, gossipPort, newJoin, keyFile, socket, device, vni, port, underlay,
        vtepAddress, vtepMac, podCidr, extra);
  }

  public AgentToml withKeyFile(Path newKeyFile) {
    return new AgentToml(nodeName, advertise, gossipPort, join, newKeyFile, socket, device, vni, port, underlay,
        vtepAddress, vtepMac, podCidr, extra);
  }

  /** Announces {@code newAdvertise} as this host's IP (the ghost-member test gives another host's). */
  public AgentToml withAdvertise(String newAdvertise) {
    return new AgentToml(nodeName, newAdvertise, gossipPort, join, keyFile, socket, device, vni, port, underlay,
        vtepAddress, vtepMac, podCidr, extra);
  }

  public AgentToml withPodCidr(String newPodCidr) {
    return new AgentToml(nodeName, advertise, gossipPort, join, keyFile, socket, device, vni, port, underlay,
        vtepAddress, vtepMac, newPodCidr, extra);
  }

  /** Adds or replaces one extra key, e.g. {@code with("gossip.failure_timeout", "2s")}. */
  public AgentToml with(String dottedKey, Object value) {
    Map<String, Object> m = new LinkedHashMap<>(extra);
    m.put(dottedKey, value);
    return new AgentToml(nodeName, advertise, gossipPort, join, keyFile, socket, device, vni, port, underlay,
        vtepAddress, vtepMac, podCidr, m);
  }

  /** The TOML text. */
  public String toToml() {
    Map<String, Map<String, Object>> tables = new TreeMap<>();
    extra.forEach((k, v) -> {
      int dot = k.indexOf('.');
      tables.computeIfAbsent(dot < 0 ? "" : k.substring(0, dot), t -> new TreeMap<>())
          .put(dot < 0 ? k : k.substring(dot + 1), v);
    });
    StringBuilder b = new StringBuilder("# written by the vxmesh testbed\n");
    line(b, "node_name", nodeName);
    extras(b, tables, "");
    b.append("\n[gossip]\n");
    line(b, "advertise", advertise);
    line(b, "port", gossipPort);
    line(b, "join", join);
    line(b, "key_file", keyFile.toString());
    extras(b, tables, "gossip");
    b.append("\n[api]\n");
    line(b, "socket", socket.toString());
    extras(b, tables, "api");
    b.append("\n[[network]]\n");
    line(b, "device", device);
    line(b, "vni", vni);
    line(b, "port", port);
    line(b, "underlay", underlay);
    line(b, "vtep_address", vtepAddress);
    if (vtepMac != null) {
      line(b, "vtep_mac", vtepMac);
    }
    line(b, "pod_cidr", podCidr);
    extras(b, tables, "network");
    tables.forEach((t, kv) -> {
      if (!List.of("", "gossip", "api", "network").contains(t)) {
        b.append("\n[").append(t).append("]\n");
        kv.forEach((k, v) -> line(b, k, v));
      }
    });
    return b.toString();
  }

  /** Writes {@link #toToml()} to {@code file}. */
  public Path write(Path file) {
    try {
      Files.writeString(file, toToml(), StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write agent config " + file + ": " + e.getMessage(), e);
    }
  }

  private static void extras(StringBuilder b, Map<String, Map<String, Object>> tables, String table) {
    tables.getOrDefault(table, Map.of()).forEach((k, v) -> line(b, k, v));
  }

  private static void line(StringBuilder b, String key, Object value) {
    b.append(key).append(" = ").append(value(value)).append('\n');
  }

  private static String value(Object v) {
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    if (v instanceof List<?> l) {
      List<String> parts = new ArrayList<>();
      l.forEach(x -> parts.add(value(x)));
      return "[" + String.join(", ", parts) + "]";
    }
    return "\"" + String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
