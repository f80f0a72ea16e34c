package io.vxmesh.lab.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel objects a test asserts on, as iproute2 prints them with {@code -j}. Values are kept
 * as iproute2 strings ("179.17.1.31", "7a:3a:fe:45:a3:76", "10.234.118.0/24") so assertions read
 * like the seed walkthrough.
 */
public final class KernelTables {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KernelTables() {}

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

  static List<Neigh> neighs(String json) {
    List<Neigh> out = new ArrayList<>();
    for (JsonNode n : array(json)) {
      out.add(new Neigh(text(n, "dst"), text(n, "lladdr"), strings(n.get("state"))));
    }
    return out;
  }

  static List<Fdb> fdbs(String json) {
    List<Fdb> out = new ArrayList<>();
    for (JsonNode n : array(json)) {
      out.add(new Fdb(text(n, "mac"), text(n, "dst"), strings(n.get("flags")), text(n, "state")));
    }
    return out;
  }

  static List<Route> routes(String json) {
    List<Route> out = new ArrayList<>();
    for (JsonNode n : array(json)) {
      String proto = text(n, "protocol");
      out.add(new Route(text(n, "dst"), text(n, "gateway"), proto == null ? "boot" : proto,
          text(n, "scope"), n.path("nhid").asInt(0), strings(n.get("flags"))));
    }
    return out;
  }

  static List<Nexthop> nexthops(String json) {
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
