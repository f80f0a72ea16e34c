package io.vxmesh.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vxmesh.datapath.Peer;
import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.proto.Announcement;
import io.vxmesh.proto.NetworkAnnouncement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The reconcile loop's contract, with an in-memory datapath that records what it was asked. */
class ReconcilerTest {
  static final VtepSpec SPEC = new VtepSpec("vxlan-test", 10001, 4899, IpAddresses.parseV4("10.211.55.5"), "eth0",
      MacAddress.parse("c2:6a:9b:e5:39:8d"), IpPrefix.parse("179.17.1.21/24"), 1450);

  static Announcement announcement(String name, String host, String mac, String vtep, String pods, int vni) {
    IpPrefix p = IpPrefix.parse(pods);
    return Announcement.newBuilder()
        .setNodeName(name)
        .setHostIp(ByteString.copyFrom(IpAddresses.parseV4(host).getAddress()))
        .addNetworks(NetworkAnnouncement.newBuilder()
            .setVni(vni)
            .setPort(4899)
            .setVtepMac(ByteString.copyFrom(MacAddress.parse(mac).bytes()))
            .setVtepIp(ByteString.copyFrom(IpAddresses.parseV4(vtep).getAddress()))
            .setVtepPrefixLen(24)
            .setPodCidrAddr(ByteString.copyFrom(p.address().getAddress()))
            .setPodCidrPrefixLen(p.prefixLength()))
        .build();
  }

  static MemberState member(String name, MemberStatus status, Announcement a) {
    return new MemberState(name, "x:7947", status, a, "", false);
  }

  static final Announcement NODE1 = announcement("node1", "10.211.55.6", "7a:3a:fe:45:a3:76", "179.17.1.31", "10.234.118.0/24", 10001);
  static final Announcement NODE2 = announcement("node2", "10.211.55.7", "7a:3a:fe:45:a3:77", "179.17.1.41", "10.234.119.0/24", 10001);

  /** Records each converge call. */
  static final class RecordingDatapath implements DatapathPort {
    final List<List<String>> desired = new CopyOnWriteArrayList<>();
    final List<Boolean> allowRemove = new CopyOnWriteArrayList<>();
    volatile boolean fail;

    @Override
    public void ensureVtep(VtepSpec spec) {}

    @Override
    public Outcome converge(VtepSpec spec, List<Peer> peers, boolean remove) {
      desired.add(peers.stream().map(Peer::name).toList());
      allowRemove.add(remove);
      List<String> errors = fail ? List.of("RTM_NEWROUTE: EINVAL (test)") : List.of();
      return new Outcome(List.of(), List.of(), List.of(), peers.size(), errors);
    }
  }

  static void await(String what, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void onlyProgrammablePeersOfTheNetworkAreDesired() {
    MembershipView view = new MembershipView(1, true, List.of(
        new MemberState("master1", "10.211.55.5:7947", MemberStatus.ALIVE,
            announcement("master1", "10.211.55.5", "c2:6a:9b:e5:39:8d", "179.17.1.21", "10.234.111.0/24", 10001), "", true),
        member("node1", MemberStatus.ALIVE, NODE1),
        member("node2", MemberStatus.SUSPECT, NODE2),
        member("node3", MemberStatus.CONFLICT, announcement("node3", "10.211.55.8", "7a:3a:fe:45:a3:78", "179.17.1.51", "10.234.118.0/24", 10001)),
        member("node4", MemberStatus.UNTRUSTED, null),
        member("node5", MemberStatus.LEAVING, announcement("node5", "10.211.55.9", "7a:3a:fe:45:a3:79", "179.17.1.61", "10.234.120.0/24", 10001)),
        member("node6", MemberStatus.ALIVE, announcement("node6", "10.211.55.10", "7a:3a:fe:45:a3:7a", "179.17.2.61", "10.234.121.0/24", 20002))));

    List<Peer> peers = DesiredState.peersFor(view, 10001);

    assertEquals(List.of("node1", "node2"), peers.stream().map(Peer::name).toList());
    Peer node1 = peers.get(0);
    assertEquals("10.211.55.6", node1.hostIp().getHostAddress());
    assertEquals("7a:3a:fe:45:a3:76", node1.vtepMac().toString());
    assertEquals("179.17.1.31", node1.vtepIp().getHostAddress());
    assertEquals("10.234.118.0/24", node1.podCidr().toString());
    assertEquals(List.of("node6"), DesiredState.peersFor(view, 20002).stream().map(Peer::name).toList());
  }

  @Test
  void removesNothingUntilTheViewIsCompleteThenConverges() throws Exception {
    AtomicReference<MembershipView> view = new AtomicReference<>(
        new MembershipView(1, false, List.of(member("node1", MemberStatus.ALIVE, NODE1))));
    RecordingDatapath dp = new RecordingDatapath();
    try (Reconciler r = new Reconciler(view::get, List.of(SPEC), dp, Duration.ofSeconds(30), Duration.ofSeconds(1), Clock.systemUTC())) {
      r.start();
      await("first pass", () -> !dp.allowRemove.isEmpty());
      assertFalse(dp.allowRemove.get(0), "an incomplete view must not remove anything");
      assertFalse(r.awaitConverged(Duration.ofMillis(50)));

      view.set(new MembershipView(2, true, List.of(member("node1", MemberStatus.ALIVE, NODE1), member("node2", MemberStatus.ALIVE, NODE2))));
      r.wake();
      assertTrue(r.awaitConverged(Duration.ofSeconds(5)));
      int last = dp.desired.size() - 1;
      assertTrue(dp.allowRemove.get(last));
      assertEquals(List.of("node1", "node2"), dp.desired.get(last));
      assertEquals("ok", r.status().lastResult());
      assertEquals(new Reconciler.NetworkCounts(2, 2), r.status().networks().get(10001));
    }
  }

  @Test
  void burstsOfWakeUpsCoalesceIntoFewPasses() throws Exception {
    MembershipView view = new MembershipView(1, true, List.of(member("node1", MemberStatus.ALIVE, NODE1)));
    RecordingDatapath dp = new RecordingDatapath();
    try (Reconciler r = new Reconciler(() -> view, List.of(SPEC), dp, Duration.ofSeconds(30), Duration.ofSeconds(1), Clock.systemUTC())) {
      r.start();
      assertTrue(r.awaitConverged(Duration.ofSeconds(5)));
      int before = dp.desired.size();
      for (int i = 0; i < 1000; i++) {
        r.wake();
      }
      await("a pass after the burst", () -> dp.desired.size() > before);
      assertTrue(dp.desired.size() - before < 100, "1000 wake-ups must coalesce, got " + (dp.desired.size() - before) + " passes");
    }
  }

  @Test
  void errorsAreReportedAndRetriedWithoutAWakeUp() throws Exception {
    MembershipView view = new MembershipView(1, true, List.of(member("node1", MemberStatus.ALIVE, NODE1)));
    RecordingDatapath dp = new RecordingDatapath();
    dp.fail = true;
    try (Reconciler r = new Reconciler(() -> view, List.of(SPEC), dp, Duration.ofSeconds(30), Duration.ofMillis(50), Clock.systemUTC())) {
      r.start();
      await("two failing passes", () -> dp.desired.size() >= 2);
      assertTrue(r.status().lastResult().contains("EINVAL"), r.status().lastResult());
      assertFalse(r.status().recentErrors().isEmpty());
      dp.fail = false;
      assertTrue(r.awaitConverged(Duration.ofSeconds(5)), "a retry must succeed once the datapath recovers");
    }
  }
}
