package io.vxmesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.api.Caller;
import io.vxmesh.config.Config;
import io.vxmesh.config.ConfigLoader;
import io.vxmesh.config.HostInfo;
import io.vxmesh.datapath.Datapath;
import io.vxmesh.datapath.FakeDatapathKernel;
import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.gossip.Announced;
import io.vxmesh.gossip.ClusterKey;
import io.vxmesh.gossip.GossipStats;
import io.vxmesh.gossip.Keyring;
import io.vxmesh.gossip.KeyringStatus;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.Membership;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.proto.NetworkStatus;
import io.vxmesh.proto.PeerRoutes;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.RouteObject;
import io.vxmesh.proto.RoutesRequest;
import io.vxmesh.proto.StatusRequest;
import io.vxmesh.proto.StatusResponse;
import io.vxmesh.reconcile.Reconciler;
import io.vxmesh.testing.KeyFiles;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Status and Routes answers against a known view, reconciler and (in-memory) kernel. */
class AgentApiAnswersTest {
  static Announced announced(String name, String host, String mac, String vtep, String pods) {
    return new Announced(name, IpAddresses.parseV4(host), List.of(new Announced.Network(10001, 4899, MacAddress.parse(mac),
        new IpPrefix(IpAddresses.parseV4(vtep), 24), IpPrefix.parse(pods), 1450)), 0, Announced.State.ALIVE, 0, "");
  }

  static MemberState member(String name, MemberStatus status, Announced a, boolean self) {
    return new MemberState(name, HostPort.parse("10.211.55.99:7947"), status, a, "", self);
  }

  static final MembershipView VIEW = new MembershipView(7, true, List.of(
      member("master1", MemberStatus.ALIVE, announced("master1", "10.211.55.5", "c2:6a:9b:e5:39:8d", "179.17.1.21", "10.234.111.0/24"), true),
      member("node1", MemberStatus.ALIVE, announced("node1", "10.211.55.6", "7a:3a:fe:45:a3:76", "179.17.1.31", "10.234.118.0/24"), false),
      member("node2", MemberStatus.SUSPECT, announced("node2", "10.211.55.7", "7a:3a:fe:45:a3:77", "179.17.1.41", "10.234.119.0/24"), false),
      member("node3", MemberStatus.CONFLICT, announced("node3", "10.211.55.8", "7a:3a:fe:45:a3:78", "179.17.1.51", "10.234.118.0/24"), false),
      member("node4", MemberStatus.UNTRUSTED, null, false)));

  /** The seed's master1: one underlay NIC enp0s5 with 10.211.55.5. */
  static final HostInfo MASTER1 = new HostInfo() {
    @Override public String hostName() { return "master1"; }
    @Override public Optional<String> defaultRouteDevice() { return Optional.of("enp0s5"); }
    @Override public List<String> devices() { return List.of("enp0s5"); }
    @Override public List<Inet4Address> ipv4Addresses() { return ipv4Addresses("enp0s5"); }
    @Override public List<Inet4Address> ipv4Addresses(String dev) {
      return dev.equals("enp0s5") ? List.of(IpAddresses.parseV4("10.211.55.5")) : List.of();
    }
    @Override public Optional<String> deviceHolding(InetAddress a) {
      return ipv4Addresses().contains(a) ? Optional.of("enp0s5") : Optional.empty();
    }
    @Override public OptionalInt mtu(String dev) { return dev.equals("enp0s5") ? OptionalInt.of(1500) : OptionalInt.empty(); }
  };

  record FixedMembership(MembershipView view, GossipStats stats) implements Membership {
    @Override public void start() {}
    @Override public void addListener(Runnable listener) {}
    @Override public void announce(Announced self) {}
    @Override public void leave(Duration maxWait) {}
    @Override public ForceLeave forceLeave(String node, boolean prune) { return new ForceLeave(false, "fixed"); }
    @Override public void useKeyring(Keyring keyring) {}
    @Override public KeyringStatus keyring() { return new KeyringStatus(List.of(), 0, 0); }
    @Override public void close() {}
  }

  @Test
  void statusAndRoutesReportTheViewTheLastReconcileAndDesiredVersusInstalled(@TempDir Path dir) throws Exception {
    Path key = KeyFiles.write(dir.resolve("cluster.key"), ClusterKey.generate());
    Path file = Files.writeString(dir.resolve("vxmesh.toml"), """
        node_name = "master1"
        [gossip]
        advertise = "10.211.55.5"
        key_file = "%s"
        [[network]]
        device = "vxlan-test"
        vni = 10001
        port = 4899
        vtep_address = "179.17.1.21/24"
        vtep_mac = "c2:6a:9b:e5:39:8d"
        pod_cidr = "10.234.111.0/24"
        mtu = 1450
        """.formatted(key));
    Config config = new ConfigLoader(MASTER1).load(file);
    List<VtepSpec> specs = config.vtepSpecs();
    FakeDatapathKernel kernel = new FakeDatapathKernel();
    Datapath datapath = new Datapath(kernel);
    GossipStats stats = new GossipStats(3, Map.of("192.0.2.9:7947", 3L), 2);
    long before = System.currentTimeMillis();
    try (Reconciler reconciler = new Reconciler(() -> VIEW, specs, datapath, Duration.ofSeconds(30), Duration.ofSeconds(1), Clock.systemUTC())) {
      reconciler.start();
      assertTrue(reconciler.awaitConverged(Duration.ofSeconds(10)), "converged on the in-memory kernel");
      AgentApi api = new AgentApi(config, specs, new FixedMembership(VIEW, stats), reconciler, datapath, null, () -> "left", System.nanoTime());

      StatusResponse s = api.handle(Request.newBuilder().setStatus(StatusRequest.getDefaultInstance()).build(), caller()).getStatus();
      assertEquals("master1", s.getNodeName());
      assertEquals("10.211.55.5", s.getHostIp());
      assertEquals(Map.of("alive", 2, "suspect", 1, "conflict", 1, "untrusted", 1), s.getMemberCountsList().stream()
          .collect(Collectors.toMap(c -> c.getStatus(), c -> c.getCount())));
      assertEquals("ok", s.getLastReconcileResult());
      assertTrue(s.getReconcilePasses() >= 1, "passes " + s.getReconcilePasses());
      assertTrue(s.getLastReconcileUnixMs() >= before && s.getLastReconcileUnixMs() <= System.currentTimeMillis(),
          "last reconcile at " + s.getLastReconcileUnixMs());
      assertTrue(s.getReady(), "complete view, last pass ok");
      assertEquals(3, s.getGossipRejected());
      assertEquals(2, s.getAnnouncementsRejected());
      assertEquals("192.0.2.9:7947", s.getRejectedSources(0).getSource());
      assertEquals(3, s.getRejectedSources(0).getCount());
      assertEquals(1, s.getNetworksCount());
      NetworkStatus n = s.getNetworks(0);
      assertEquals("vxlan-test", n.getDevice());
      assertEquals(10001, n.getVni());
      assertEquals(4899, n.getPort());
      assertEquals("c2:6a:9b:e5:39:8d", n.getVtepMac());
      assertEquals("179.17.1.21/24", n.getVtepIp());
      assertEquals("10.234.111.0/24", n.getPodCidr());
      assertEquals(1450, n.getMtu());
      assertTrue(n.getDeviceUp());
      assertEquals(2, n.getPeersDesired(), "node1 (alive) and node2 (suspect); not node3, node4 or self");
      assertEquals(2, n.getPeersInstalled());

      // drift behind the reconciler's back: node2's route is gone from the kernel
      kernel.routes.remove(IpPrefix.parse("10.234.119.0/24"));
      List<PeerRoutes> peers = api.handle(Request.newBuilder().setRoutes(RoutesRequest.getDefaultInstance()).build(), caller())
          .getRoutes().getPeersList();
      assertEquals(List.of("node1", "node2"), peers.stream().map(PeerRoutes::getPeer).toList());
      Map<String, Boolean> installed = new TreeMap<>();
      for (PeerRoutes p : peers) {
        assertEquals(10001, p.getVni());
        assertEquals("vxlan-test", p.getDevice());
        assertEquals(List.of("neighbour", "fdb", "route"), p.getObjectsList().stream().map(RouteObject::getKind).toList());
        p.getObjectsList().forEach(o -> installed.put(p.getPeer() + " " + o.getKind(), o.getInstalled()));
      }
      assertEquals(Map.of("node1 neighbour", true, "node1 fdb", true, "node1 route", true,
          "node2 neighbour", true, "node2 fdb", true, "node2 route", false), installed);
      assertEquals("7a:3a:fe:45:a3:77 dst 10.211.55.7 dev vxlan-test self permanent", peers.get(1).getObjects(1).getDescription());
      assertEquals("179.17.1.41 lladdr 7a:3a:fe:45:a3:77 dev vxlan-test nud permanent", peers.get(1).getObjects(0).getDescription());
    }
  }

  static Caller caller() {
    return new Caller(0, "root");
  }
}
