package io.vxmesh.gossip;

import static io.vxmesh.gossip.Fixtures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.HostPort;
import io.vxmesh.net.IpAddresses;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, attacks 3 and 5, with real Atomix members on loopback: a key holder with a
 * backdated claim ({@code claimed_at_ms = 1000}, as an edited claim store gives it) takes
 * neither a live owner's pod CIDR nor its VTEP IP and MAC, on any node and at no moment; a node
 * joining later agrees; an agent announcing a live member's address (a ghost) is refused.
 */
class ClaimTheftAtomixTest {
  private static final long BACKDATED = 1000;
  private final ClusterKey key = ClusterKey.generate();
  private final List<AtomixMembership> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(m -> m.leave(Duration.ofMillis(1)));
  }

  private AtomixMembership start(GossipSettings s) throws Exception {
    AtomixMembership m = new AtomixMembership(s, PacketFilter.PASS_ALL);
    started.add(m);
    m.start();
    return m;
  }

  private AtomixMembership start(Announced a, int port, String seed) throws Exception {
    return start(Fixtures.settings(a.nodeName(), port, seed == null ? List.of() : List.of(seed), key, a, Fixtures.timers()));
  }

  private static Optional<MemberState> state(AtomixMembership on, String name) {
    return on.view().members().stream().filter(s -> s.name().equals(name)).findFirst();
  }

  private static boolean sees(AtomixMembership on, String name, MemberStatus status) {
    return state(on, name).map(s -> s.status() == status).orElse(false);
  }

  /** n1 (the owner, claimed "now"), n2, n3, all alive everywhere. */
  private List<AtomixMembership> mesh(int seedPort) throws Exception {
    String seed = "127.0.0.1:" + seedPort;
    List<AtomixMembership> ms = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      ms.add(start(Fixtures.announcement("n" + i, "127.0.0.1", i, 0), i == 1 ? seedPort : Fixtures.freePort(), seed));
    }
    await(Duration.ofSeconds(15), "3 members alive everywhere", () -> Fixtures.allAlive(ms));
    return ms;
  }

  /**
   * Watches {@code observers} until every one lists n1 ALIVE and {@code thief} CONFLICT, and
   * keeps watching for {@code hold}; fails the moment an observer that has proven n1 programs the
   * thief or stops programming n1 (the owner's own view: the moment it programs the thief).
   */
  private static void assertOwnerKeepsItsClaims(List<AtomixMembership> observers, String thief, Duration hold) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    long settledSince = 0;
    while (System.nanoTime() < deadline) {
      boolean settled = true;
      for (AtomixMembership on : observers) {
        Optional<MemberState> t = state(on, thief);
        Optional<MemberState> owner = state(on, "n1");
        if (owner.isEmpty() || owner.get().status() == MemberStatus.UNPROVEN) {
          settled = false; // this observer has not met or proven the owner yet (a joiner)
          continue;
        }
        if (!owner.get().self()) {
          assertTrue(owner.get().status().programmable(), "the owner lost its claim: " + on.view().members());
        }
        assertFalse(t.map(s -> s.status().programmable()).orElse(false), "the thief is programmed: " + on.view().members());
        settled &= owner.get().status() == MemberStatus.ALIVE && t.map(s -> s.status() == MemberStatus.CONFLICT).orElse(false);
      }
      if (!settled) {
        settledSince = 0;
      } else if (settledSince == 0) {
        settledSince = System.nanoTime();
      } else if (System.nanoTime() - settledSince > hold.toNanos()) {
        return;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("not every node lists n1 alive and the thief in conflict: "
        + observers.stream().map(o -> o.view().members().toString()).toList());
  }

  @Test
  void aBackdatedClaimDoesNotTakeALiveOwnersPodCidrOnAnyNode() throws Exception {
    int seedPort = Fixtures.freePort();
    List<AtomixMembership> ms = mesh(seedPort);
    var stolen = Fixtures.network(Fixtures.mac(9), "179.17.1.9", "10.234.1.0/24"); // n1's pod CIDR
    Announced thief = Fixtures.with(Fixtures.announcement("t", "127.0.0.1", 9, BACKDATED), stolen);
    AtomixMembership t = start(thief, Fixtures.freePort(), "127.0.0.1:" + seedPort);
    assertOwnerKeepsItsClaims(ms, "t", Duration.ofSeconds(3));
    List<AtomixMembership> everyone = new ArrayList<>(ms);
    everyone.add(t); // runs honest code: it agrees too
    assertOwnerKeepsItsClaims(everyone, "t", Duration.ofSeconds(1));
    assertEquals(BACKDATED, state(ms.get(1), "t").orElseThrow().announcement().claimedAtMs(), "the claim really is backdated");
    assertTrue(state(ms.get(1), "t").orElseThrow().reason().contains("claimed by n1"), state(ms.get(1), "t").toString());

    // A node that joins after both exist follows the mesh, not the claim time.
    AtomixMembership late = start(Fixtures.announcement("n5", "127.0.0.1", 5, 0), Fixtures.freePort(), "127.0.0.1:" + seedPort);
    await(Duration.ofSeconds(15), "the late joiner lists the thief", () -> state(late, "t").isPresent() && late.view().complete());
    everyone.add(late);
    assertOwnerKeepsItsClaims(everyone, "t", Duration.ofSeconds(2));
  }

  @Test
  void aBackdatedClaimDoesNotTakeALiveOwnersVtepIpOrMac() throws Exception {
    int seedPort = Fixtures.freePort();
    List<AtomixMembership> ms = mesh(seedPort);
    var n1 = Fixtures.network(1);
    Announced ipThief = Fixtures.with(Fixtures.announcement("t", "127.0.0.1", 9, BACKDATED),
        Fixtures.network(Fixtures.mac(9), "179.17.1.1", "10.234.9.0/24"));
    Announced macThief = Fixtures.with(Fixtures.announcement("u", "127.0.0.1", 8, BACKDATED),
        Fixtures.network(n1.vtepMac(), "179.17.1.8", "10.234.8.0/24"));
    start(ipThief, Fixtures.freePort(), "127.0.0.1:" + seedPort);
    start(macThief, Fixtures.freePort(), "127.0.0.1:" + seedPort);
    assertOwnerKeepsItsClaims(ms, "t", Duration.ofSeconds(2));
    assertOwnerKeepsItsClaims(ms, "u", Duration.ofSeconds(1));
  }

  @Test
  void aGhostAnnouncingALiveMembersAddressIsRefused() throws Exception {
    int seedPort = Fixtures.freePort();
    List<AtomixMembership> ms = mesh(seedPort);
    HostPort n2 = state(ms.get(0), "n2").orElseThrow().address();
    // The ghost listens on 127.0.0.2 but announces n2's address: probes of it are answered by n2.
    InetAddress ghostBind = IpAddresses.parse("127.0.0.2");
    Announced ghost = Fixtures.with(Fixtures.announcement("g", "127.0.0.1", 7, BACKDATED),
        Fixtures.network(Fixtures.mac(7), "179.17.1.7", "10.234.7.0/24"));
    start(new GossipSettings("g", Fixtures.LOOPBACK, n2.port(), ghostBind, List.of(HostPort.parse("127.0.0.1:" + seedPort)),
        key, Fixtures.timers(), Fixtures.context("g"), ghost, Clock.systemUTC()));
    List<AtomixMembership> observers = List.of(ms.get(0), ms.get(2));
    await(Duration.ofSeconds(15), "the ghost is listed and untrusted on n1 and n3", () -> observers.stream()
        .allMatch(on -> sees(on, "g", MemberStatus.UNTRUSTED)));
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < until) {
      for (AtomixMembership on : observers) {
        MemberState g = state(on, "g").orElseThrow();
        // Untrusted by the host proof; or, with vxmesh's protocol, failed in between: n2 drops
        // pings naming "g", so the ghost is declared dead until it refutes (and is refuted again).
        assertTrue(g.status() == MemberStatus.UNTRUSTED || g.status() == MemberStatus.FAILED, on.view().members().toString());
        if (g.status() == MemberStatus.UNTRUSTED) {
          assertEquals("host address 127.0.0.1 answered as node 'n2'", g.reason());
        }
        assertTrue(sees(on, "n2", MemberStatus.ALIVE), "the real owner of the address is unaffected");
      }
      Thread.onSpinWait();
    }
  }
}
