package io.vxmesh.datapath;

import static io.vxmesh.net.IpAddresses.parseV4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vxmesh.netlink.NetlinkException;
import io.vxmesh.netlink.Nftables;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.netlink.nl.Errno;
import io.vxmesh.testing.KernelTest;
import java.io.IOException;
import java.net.Inet4Address;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The VXLAN filter written over NETLINK_NETFILTER into a fresh namespace and read back with
 * {@code nft -j}: exactly the objects {@code nft -f} makes from the same text, membership as
 * element changes, drift repaired, foreign tables untouched.
 */
@KernelTest
class VxlanFilterKernelTest {
  static final Inet4Address NODE1 = parseV4("10.211.55.6");
  static final Inet4Address NODE2 = parseV4("10.211.55.7");
  static final Inet4Address NODE3 = parseV4("10.211.55.8");
  static final String NFT_TEXT = """
      table ip vxmesh {
        set members { type ipv4_addr; elements = { 10.211.55.6, 10.211.55.7 } }
        chain input {
          type filter hook input priority filter; policy accept;
          udp dport 4789 ip saddr != @members counter drop
          udp dport 4899 ip saddr != @members counter drop
        }
      }
      """;
  static final String FOREIGN = """
      table inet fw {
        chain input { type filter hook input priority 0; policy accept; udp dport 4789 counter accept; }
      }
      table inet vxmesh {
        chain input { type filter hook input priority -5; policy accept; tcp dport 22 accept; }
      }
      table ip other {
        set members { type ipv4_addr; elements = { 192.0.2.1 }; }
      }
      """;
  TestNetns ns;
  VxlanFilter filter;

  @BeforeEach
  void setUp() {
    TestNetns.assumeRoot();
    TestNetns.assumeNft();
    ns = TestNetns.create("vxnft");
    filter = VxlanFilter.openIn(ns.name());
  }

  @AfterEach
  void tearDown() {
    if (filter != null) {
      filter.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  @Test
  void writesExactlyTheTableSetChainAndRulesNftMakesFromTheSameText() throws Exception {
    filter.converge(Set.of(4899, 4789), Set.of(NODE2, NODE1), true);
    JsonNode ours = stripHandles(nftJson("list", "table", "ip", "vxmesh"));

    try (TestNetns ref = TestNetns.create("vxnftref")) {
      ref.nftWithInput(NFT_TEXT, "-f", "-");
      JsonNode theirs = stripHandles(nftJsonIn(ref, "list", "table", "ip", "vxmesh"));
      assertEquals(theirs, ours);
    }
    // and what that is, spelled out: one set of addresses, a base chain on input, one rule per port
    String text = nft("list", "table", "ip", "vxmesh");
    assertTrue(text.contains("type ipv4_addr") && text.contains("elements = { 10.211.55.6, 10.211.55.7 }"), text);
    assertTrue(text.contains("type filter hook input priority filter; policy accept;"), text);
    assertTrue(text.contains("udp dport 4789 ip saddr != @members counter packets 0 bytes 0 drop"), text);
    assertTrue(text.contains("udp dport 4899 ip saddr != @members counter packets 0 bytes 0 drop"), text);
    assertTrue(filter.converge(Set.of(4899, 4789), Set.of(NODE1, NODE2), true).plan().empty(), "second converge is a no-op");
  }

  @Test
  void membershipChangesAreElementChangesOnly() throws Exception {
    filter.converge(Set.of(4789), Set.of(NODE1, NODE2), true);
    JsonNode before = nftJson("-a", "list", "table", "ip", "vxmesh");
    long ruleHandle = rules(before).get(0).get("handle").asLong();

    FilterDiff.Plan p = filter.converge(Set.of(4789), Set.of(NODE2, NODE3), true).plan();
    assertEquals(List.of(NODE3), p.membersAdd());
    assertEquals(List.of(NODE1), p.membersDel());
    assertEquals(List.of(), p.structure());
    assertEquals(Set.of("10.211.55.7", "10.211.55.8"), elements());
    JsonNode after = nftJson("-a", "list", "table", "ip", "vxmesh");
    assertEquals(ruleHandle, rules(after).get(0).get("handle").asLong(), "the rule was not rewritten");
    assertEquals(table(before).get("handle"), table(after).get("handle"), "the table was not rebuilt");

    // before the first complete view nothing is removed
    filter.converge(Set.of(4789), Set.of(NODE1), false);
    assertEquals(Set.of("10.211.55.6", "10.211.55.7", "10.211.55.8"), elements());
    filter.converge(Set.of(4789), Set.of(), true);
    assertEquals(Set.of(), elements());
  }

  @Test
  void repairsEveryKindOfDriftAndTheMonitorSeesIt() throws Exception {
    AtomicInteger wakes = new AtomicInteger();
    try (AutoCloseable w = filter.watch(wakes::incrementAndGet)) {
      filter.converge(Set.of(4789), Set.of(NODE1, NODE2), true);
      TestNetns.await(5000, () -> wakes.get() > 0, "a notification for our own table");

      int seen = wakes.get();
      nft("delete", "element", "ip", "vxmesh", "members", "{ 10.211.55.6 }");
      TestNetns.await(5000, () -> wakes.get() > seen, "a notification for the deleted element");
      FilterDiff.Plan p = filter.converge(Set.of(4789), Set.of(NODE1, NODE2), true).plan();
      assertEquals(List.of(NODE1), p.membersAdd());
      assertEquals(Set.of("10.211.55.6", "10.211.55.7"), elements());

      long handle = rules(nftJson("-a", "list", "table", "ip", "vxmesh")).get(0).get("handle").asLong();
      nft("delete", "rule", "ip", "vxmesh", "input", "handle", String.valueOf(handle));
      nft("add", "rule", "ip", "vxmesh", "input", "tcp", "dport", "22", "drop"); // a stranger in our chain
      p = filter.converge(Set.of(4789), Set.of(NODE1, NODE2), true).plan();
      assertEquals(List.of("rule"), p.structure());
      assertEquals(1, rules(nftJson("list", "table", "ip", "vxmesh")).size());
      assertTrue(nft("list", "table", "ip", "vxmesh").contains("udp dport 4789 ip saddr != @members counter"));

      nft("delete", "table", "ip", "vxmesh");
      p = filter.converge(Set.of(4789), Set.of(NODE1, NODE2), true).plan();
      assertEquals(List.of("table"), p.structure());
      assertEquals(Set.of("10.211.55.6", "10.211.55.7"), elements());

      // re-declared with the wrong shape: the set holds ports now; the table is rebuilt
      nft("delete", "table", "ip", "vxmesh");
      ns.nftWithInput("table ip vxmesh {\n set members { type inet_service; }\n chain input { type filter hook output priority 0; }\n}\n",
          "-f", "-");
      p = filter.converge(Set.of(4789), Set.of(NODE1, NODE2), true).plan();
      assertEquals(List.of("table(rebuilt)"), p.structure());
      assertTrue(filter.converge(Set.of(4789), Set.of(NODE1, NODE2), true).plan().empty());
      assertTrue(nft("list", "table", "ip", "vxmesh").contains("type filter hook input priority filter"));
    }
  }

  @Test
  void tenThousandMembersInOneTransactionAndHalfRemovedInTheNext() throws Exception {
    Set<Inet4Address> many = new java.util.HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      many.add(parseV4("10." + (100 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256)));
    }
    long t0 = System.nanoTime();
    filter.converge(Set.of(4789), many, true);
    long installMs = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(10_000, elements().size());
    Set<Inet4Address> half = new java.util.HashSet<>(many.stream().limit(5_000).toList());
    t0 = System.nanoTime();
    FilterDiff.Plan p = filter.converge(Set.of(4789), half, true).plan();
    long removeMs = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(5_000, p.membersDel().size());
    assertEquals(5_000, elements().size());
    t0 = System.nanoTime();
    assertTrue(filter.converge(Set.of(4789), half, true).plan().empty());
    System.out.printf("vxlan filter members=10000 install_ms=%d remove_5000_ms=%d noop_ms=%d%n", installMs, removeMs,
        (System.nanoTime() - t0) / 1_000_000);
  }

  @Test
  void foreignTablesAndRulesAreNeverTouched() throws Exception {
    ns.nftWithInput(FOREIGN, "-f", "-");
    JsonNode foreign = foreignTables();
    filter.converge(Set.of(4789), Set.of(NODE1, NODE2), true);
    filter.converge(Set.of(4789, 4899), Set.of(NODE3), true);
    nft("delete", "table", "ip", "vxmesh");
    filter.converge(Set.of(4789), Set.of(NODE1), true);
    assertEquals(foreign, foreignTables());
    assertEquals(Set.of("10.211.55.6"), elements());
  }

  @Test
  void aRefusedTransactionChangesNothing() throws Exception {
    filter.converge(Set.of(4789), Set.of(NODE1), true);
    try (Nftables nft = Nftables.openIn(ns.name())) {
      NetlinkException e = assertThrows(NetlinkException.class, () -> nft.transaction()
          .elemAdd(VxlanFilter.FAMILY, VxlanFilter.TABLE, VxlanFilter.SET, List.of(NODE2))
          .elemDel(VxlanFilter.FAMILY, VxlanFilter.TABLE, VxlanFilter.SET, List.of(NODE3))
          .commit(0));
      assertEquals(Errno.ENOENT, e.errno(), e.getMessage());
      assertTrue(e.getMessage().startsWith("NFT_MSG_DELSETELEM (message 1 of the transaction)"), e.getMessage());
      assertEquals(Set.of("10.211.55.6"), elements(), "the element added in the same batch was rolled back");
      // a stale generation is refused as a whole
      int gen = nft.genId();
      nft("add", "element", "ip", "vxmesh", "members", "{ 10.211.55.8 }");
      NetlinkException stale = assertThrows(NetlinkException.class, () -> nft.transaction()
          .elemAdd(VxlanFilter.FAMILY, VxlanFilter.TABLE, VxlanFilter.SET, List.of(NODE2)).commit(gen));
      assertEquals(Errno.ERESTART, stale.errno(), stale.getMessage());
      assertFalse(elements().contains("10.211.55.7"));
    }
  }

  // ---- helpers: nft in the namespace, JSON without handles ----

  private JsonNode foreignTables() throws IOException {
    ArrayNode out = new ObjectMapper().createArrayNode();
    out.add(nftJson("list", "table", "inet", "fw"));
    out.add(nftJson("list", "table", "inet", "vxmesh"));
    out.add(nftJson("list", "table", "ip", "other"));
    return out;
  }

  private Set<String> elements() throws IOException {
    JsonNode set = null;
    for (JsonNode n : nftJson("list", "set", "ip", "vxmesh", "members").get("nftables")) {
      if (n.has("set")) {
        set = n.get("set");
      }
    }
    java.util.Set<String> out = new java.util.HashSet<>();
    if (set != null && set.has("elem")) {
      set.get("elem").forEach(e -> out.add(e.asText()));
    }
    return out;
  }

  private static List<JsonNode> rules(JsonNode j) {
    List<JsonNode> out = new java.util.ArrayList<>();
    j.get("nftables").forEach(n -> {
      if (n.has("rule")) {
        out.add(n.get("rule"));
      }
    });
    return out;
  }

  private static JsonNode table(JsonNode j) {
    for (JsonNode n : j.get("nftables")) {
      if (n.has("table")) {
        return n.get("table");
      }
    }
    throw new AssertionError("no table in " + j);
  }

  static JsonNode stripHandles(JsonNode j) {
    JsonNode copy = j.deepCopy();
    copy.get("nftables").forEach(n -> n.fields().forEachRemaining(e -> {
      if (e.getValue() instanceof ObjectNode o) {
        o.remove("handle");
      }
    }));
    return copy;
  }

  private JsonNode nftJson(String... args) throws IOException {
    return nftJsonIn(ns, args);
  }

  static JsonNode nftJsonIn(TestNetns in, String... args) throws IOException {
    String[] all = new String[args.length + 1];
    all[0] = "-j";
    System.arraycopy(args, 0, all, 1, args.length);
    return new ObjectMapper().readTree(in.nft(all));
  }

  private String nft(String... args) {
    return ns.nft(args);
  }

}
