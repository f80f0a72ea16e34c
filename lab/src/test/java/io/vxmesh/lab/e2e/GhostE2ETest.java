package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.lab.testbed.AgentToml;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.PingResult;
import io.vxmesh.lab.testbed.Poll;
import io.vxmesh.proto.Member;
import io.vxmesh.testing.E2ETest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, attack 5, end to end: a real agent announces another live host's IP. Before the
 * fix it was accepted, because the probes of that IP are answered (by the real host). Now a
 * member is accepted only if the probe of its host IP is answered by the same node name, so
 * the ghost is {@code untrusted} (or {@code failed}: the victim drops pings naming it) on every honest host, no host programs a route, neighbour or
 * FDB entry for it, and the victim keeps its status, its routes and every pod ping.
 *
 * <p>The agent refuses a {@code gossip.advertise} that is not an address of its host, so the
 * ghost's namespace gets the victim's IP as a /32 on {@code lo} (with {@code arp_ignore=1},
 * so it never answers ARP for it on the underlay and steals nothing at layer 2) and binds
 * gossip to its own underlay IP: what a key holder with root on another host can do.
 */
@E2ETest
class GhostE2ETest extends LiveMeshAttack {
  private static final Duration CMD = Duration.ofSeconds(5);

  private void inGhostNs(Host ghost, String... command) {
    ExecResult r = tb.topology().execHost(ghost, CMD, command);
    assertTrue(r.ok(), r.toString());
  }

  @Test
  void anAgentAnnouncingAnotherLiveHostsIpIsUntrustedEverywhereAndGetsNoKernelEntries() {
    Host victim = mesh.get(0);
    Host client = mesh.get(1);
    Host ghost = tb.addHost();
    String victimIp = victim.spec().underlayIp().getHostAddress();
    inGhostNs(ghost, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2");
    inGhostNs(ghost, "ip", "addr", "add", victimIp + "/32", "dev", "lo");
    // Its seed must not be the victim: the ghost's own namespace now holds that address.
    AgentToml config = tb.agentToml(ghost).withAdvertise(victimIp)
        .withJoin(List.of(client.spec().underlayIp().getHostAddress() + ":" + tb.overlay().gossipPort()))
        .with("gossip.bind", ghost.spec().underlayIp().getHostAddress());

    CompletableFuture<PingResult> ping = tb.pings().pingAsync(client.requirePod().ns(), victim.spec().podIp(), 200,
        Duration.ofMillis(50), Duration.ofSeconds(20));
    tb.startAgent(ghost, config);
    assertTrue(tb.agent(ghost).awaitLog("gossip started", Duration.ofSeconds(30)), "the ghost's agent did not start");
    String proofFailure = "host address " + victimIp + " answered as node '" + victim.name() + "'";
    long t0 = System.nanoTime();
    // Refused: untrusted by the host proof, or failed: the victim drops probes that name the
    // ghost (vxmesh's protocol pings a member by name), so it is declared dead until it refutes.
    java.util.function.Predicate<Member> refusedState = m -> (m.getStatus().equals("untrusted")
        && m.getReason().equals(proofFailure)) || m.getStatus().equals("failed");
    boolean refused = Poll.until(Duration.ofSeconds(15), Duration.ofMillis(200), () -> mesh.stream()
        .allMatch(h -> Mesh.member(tb, h, ghost.name()).filter(refusedState).isPresent()));
    assertTrue(refused, "the ghost is not refused (untrusted: " + proofFailure + ", or failed) on every honest host: " + mesh.stream()
        .map(h -> h.name() + "=" + Mesh.member(tb, h, ghost.name()).map(m -> m.getStatus() + " (" + m.getReason() + ")")
            .orElse("not listed")).toList());
    System.out.println("figure ghost_untrusted_everywhere_ms=" + Duration.ofNanos(System.nanoTime() - t0).toMillis());

    Mesh.assertOwnerKeptWhile(tb, mesh, victim, ghost, ping, h -> {
      assertTrue(Mesh.hasNoEntriesFor(tb, h, ghost), h.name() + " has kernel entries for the ghost: "
          + tb.tables().fdb(h) + " " + tb.tables().routes(h) + " " + tb.tables().neighbours(h));
      assertTrue(Mesh.member(tb, h, ghost.name()).filter(refusedState).isPresent(),
          "the ghost became trusted on " + h.name() + ": " + Mesh.member(tb, h, ghost.name()));
    });
    PingResult r = ping.join();
    System.out.println("figure ghost_pings=" + r.transmitted() + " received=" + r.received() + " ttls="
        + r.ttls().stream().distinct().toList());
    assertTrue(r.transmitted() >= 150 && r.lost() == 0, "pings to the victim's pod were lost: " + r);
    assertTrue(r.ttls().stream().allMatch(t -> t == 62), "someone else answered for the victim's pod: " + r.ttls());
    Mesh.assertExactlyPeers(tb, client, mesh);
    assertTrue(tb.agent(ghost).isAlive(), "the ghost's agent keeps running (refused, not crashed)");
  }
}
