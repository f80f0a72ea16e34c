package io.vxmesh.lab.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The VTEP tables of the hosts of one {@link Testbed} (neighbours, FDB entries, routes,
 * nexthops, the device itself), read with iproute2's {@code -j}, and the records a test asserts
 * on. Values are kept as iproute2 strings ("179.17.1.31", "7a:3a:fe:45:a3:76",
 * "10.234.118.0/24") so assertions read like the seed walkthrough. A host without the VTEP
 * device has empty tables.
 *
 * <p>Reads only; holds no state of its own. Thread-safe.
 */
public final class KernelTables {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Topology topology;
  private final Overlay overlay;

  KernelTables(Topology topology, Overlay overlay) {
    this.topology = topology;
    this.overlay = overlay;
  }

  /** {@code ip neigh show dev <vtep>}: e.g. 179.17.1.31 lladdr 7a:3a:fe:45:a3:76 PERMANENT. */
  public record Neigh(String dst, String lladdr, List<String> state) {
    public Neigh {
      state = List.copyOf(state);
    }

    public boolean permanent() {
      return state.contains("PERMANENT");
    }
  }

  /** {@code bridge fdb show dev <vtep>}: e.g. 7a:3a:fe:45:a3:76 dst 10.211.55.6 self permanent. */
  public record Fdb(String mac, String dst, List<String> flags, String state) {
    public Fdb {
      flags = List.copyOf(flags);
    }

    public boolean selfPermanent() {
      return flags.contains("self") && "permanent".equals(state);
    }
  }

  /**
   * {@code ip route show dev <vtep>}: e.g. 10.234.118.0/24 via 179.17.1.31 onlink proto 77.
   *
   * @param protocol iproute2's name or number; "boot" when it printed none
   * @param nhid the nexthop object id, or 0 when the route has a plain gateway
   */
  public record Route(String dst, String gateway, String protocol, String scope, int nhid, List<String> flags) {
    public Route {
      flags = List.copyOf(flags);
    }
  }

  /** {@code ip nexthop show dev <vtep>}: e.g. id 5 via 179.17.1.31 dev vxlan-test scope link onlink. */
  public record Nexthop(int id, String gateway, String dev, String protocol, List<String> flags) {
    public Nexthop {
      flags = List.copyOf(flags);
    }
  }

  // ---------------------------------------------------------------- reading a host's tables

  /** {@code ip neigh show dev <vtep>} in the host; empty when the VTEP does not exist. */
  public List<Neigh> neighbours(Host host) {
    return parseNeighs(readVtep(host, "ip", "-j", "neigh", "show", "dev", overlay.device()));
  }

  /** {@code bridge fdb show dev <vtep>} in the host; empty when the VTEP does not exist. */
  public List<Fdb> fdb(Host host) {
    return parseFdbs(readVtep(host, "bridge", "-j", "fdb", "show", "dev", overlay.device()));
  }

  /** {@code ip route show dev <vtep>} (main table) in the host; empty when the VTEP does not exist. */
  public List<Route> routes(Host host) {
    return parseRoutes(readVtep(host, "ip", "-j", "route", "show", "dev", overlay.device()));
  }

  /** {@code ip nexthop show dev <vtep>} in the host; empty when the VTEP does not exist. */
  public List<Nexthop> nexthops(Host host) {
    return parseNexthops(readVtep(host, "ip", "-j", "nexthop", "show", "dev", overlay.device()));
  }

  /** {@code ip -d -j link show <vtep>} in the host, or empty when there is no such device. */
  public Optional<JsonNode> vtepLink(Host host) {
    String json = readVtep(host, "ip", "-d", "-j", "link", "show", overlay.device());
    try {
      JsonNode n = json.isBlank() ? null : JSON.readTree(json);
      return n != null && n.isArray() && n.size() > 0 ? Optional.of(n.get(0)) : Optional.empty();
    } catch (IOException e) {
      throw new IllegalStateException("cannot parse `ip -d -j link show` of " + host.name() + ": " + e.getMessage());
    }
  }

  /** The neighbour, the FDB entry and the route for {@code peer} are all on {@code host}'s VTEP, with the peer's values. */
  public boolean hasPeerEntries(Host host, Host peer) {
    HostSpec p = peer.spec();
    String vtepIp = p.vtepIp().getHostAddress();
    String mac = p.vtepMac().toString();
    return neighbours(host).stream().anyMatch(n -> vtepIp.equals(n.dst()) && mac.equals(n.lladdr()))
        && fdb(host).stream().anyMatch(f -> mac.equals(f.mac()) && p.underlayIp().getHostAddress().equals(f.dst()))
        && routes(host).stream().anyMatch(r -> p.podCidr().toString().equals(r.dst()) && vtepIp.equals(r.gateway()));
  }

  /** None of the neighbour, FDB entry or route for {@code peer} is on {@code host}'s VTEP. */
  public boolean hasNoPeerEntries(Host host, Host peer) {
    HostSpec p = peer.spec();
    String vtepIp = p.vtepIp().getHostAddress();
    String mac = p.vtepMac().toString();
    return neighbours(host).stream().noneMatch(n -> vtepIp.equals(n.dst()))
        && fdb(host).stream().noneMatch(f -> mac.equals(f.mac()))
        && routes(host).stream().noneMatch(r -> p.podCidr().toString().equals(r.dst()));
  }

  private String readVtep(Host host, String... command) {
    ExecResult r = topology.execHost(host, Topology.IP_TIMEOUT, command);
    if (r.ok()) {
      return r.stdout();
    }
    String err = r.stderr();
    if (err.contains("does not exist") || err.contains("Cannot find device")) {
      return "";
    }
    throw new IllegalStateException("on " + host.name() + ": " + r.describeFailure());
  }

  // ---------------------------------------------------------------- parsing iproute2 JSON

  static List<Neigh> parseNeighs(String json) {
    List<Neigh> out = new ArrayList<>();
    for (JsonNode n : array(json)) {
      out.add(new Neigh(text(n, "dst"), text(n, "lladdr"), strings(n.get("state"))));
    }
    return out;
  }

  static List<Fdb> parseFdbs(String json) {
    List<Fdb> out = new ArrayList<>();
    for (JsonNode n : array(json)) {
      out.add(new Fdb(text(n, "mac"), text(n, "dst"), strings(n.get("flags")), text(n, "state")));
    }
    return out;
  }

  static List<Route> parseRoutes(String json) {
    List<Route> out = new ArrayList<>();
    for (JsonNode n : array(json)) {
      String proto = text(n, "protocol");
      out.add(new Route(text(n, "dst"), text(n, "gateway"), proto == null ? "boot" : proto,
          text(n, "scope"), n.path("nhid").asInt(0), strings(n.get("flags"))));
    }
    return out;
  }

  static List<Nexthop> parseNexthops(String json) {
    List<Nexthop> out = new ArrayList<>();
    for (JsonNode n : array(json)) {
      out.add(new Nexthop(n.path("id").asInt(), text(n, "gateway"), text(n, "dev"), text(n, "protocol"),
          strings(n.get("flags"))));
    }
    return out;
  }

  private static Iterable<JsonNode> array(String json) {
    if (json == null || json.isBlank()) {
      return List.of();
    }
    try {
      JsonNode root = JSON.readTree(json);
      if (!root.isArray()) {
        throw new IllegalArgumentException("iproute2 JSON is not an array: " + abbreviate(json));
      }
      return root;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("cannot parse iproute2 JSON: " + e.getOriginalMessage() + ": " + abbreviate(json));
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** iproute2 prints some fields as a string and others as a list; accept both. */
  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (n.isArray()) {
      n.forEach(x -> out.add(x.asText()));
    } else {
      out.add(n.asText());
    }
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
