package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.lab.testbed.AgentToml;
import io.vxmesh.lab.testbed.Exec;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.PingResult;
import io.vxmesh.lab.testbed.Poll;
import io.vxmesh.testing.E2ETest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, attack 3, end to end: a key holder whose claim store says {@code claimed_at_ms=1000}
 * claims a live owner's pod CIDR. Before the fix it took it in 2 s and its host answered the
 * pings meant for the owner's pod; now the owner keeps it on every host, the thief is
 * {@code conflict} everywhere, no host routes the CIDR via the thief, and every ping to the
 * owner's pod is answered by that pod (TTL 62: two routed hops; the thief host would answer
 * with 63) without a loss.
 */
@E2ETest
class ClaimTheftE2ETest extends LiveMeshAttack {
  @Test
  void aBackdatedClaimOnALiveOwnersPodCidrIsRefusedEverywhereAndItsPodsKeepAnswering() throws IOException {
    Host owner = mesh.get(0);
    Host client = mesh.get(1);
    Host thief = tb.addHost();
    String cidr = owner.spec().podCidr().toString();
    AgentToml config = tb.agentToml(thief).withPodCidr(cidr);
    // The attack: the claim store backdated, as an operator with root on the thief host can do.
    Path state = Files.createDirectories(tb.agents().dir().resolve(thief.name() + "-state"));
    Files.writeString(state.resolve("claim.properties"), "claims=" + config.vni() + "=" + cidr + "\nclaimed_at_ms=1000\n");
    // If the thief got the route, its host would answer for the owner's pod.
    ExecResult addr = Exec.run(Duration.ofSeconds(5), List.of("ip", "-n", thief.ns(), "addr", "add",
        owner.spec().podIp().getHostAddress() + "/32", "dev", "lo"));
    assertTrue(addr.ok(), addr.toString());

    CompletableFuture<PingResult> ping = tb.pings().pingAsync(client.requirePod().ns(), owner.spec().podIp(), 200,
        Duration.ofMillis(50), Duration.ofSeconds(20));
    tb.startAgent(thief, config, Map.of("STATE_DIRECTORY", state.toString()));
    assertTrue(tb.agent(thief).awaitLog("gossip started", Duration.ofSeconds(30)), "the thief's agent did not start");
    boolean refused = Poll.until(Duration.ofSeconds(15), Duration.ofMillis(200), () -> mesh.stream()
        .allMatch(h -> Mesh.status(tb, h, thief.name()).equals("conflict")));
    assertTrue(refused, "the thief is not conflict on every host: "
        + mesh.stream().map(h -> h.name() + "=" + Mesh.status(tb, h, thief.name())).toList());
    // Keep watching while the pings run: the owner keeps its CIDR on every host.
    Mesh.assertOwnerKeptWhile(tb, mesh, owner, thief, ping, h -> { });
    PingResult r = ping.join();
    System.out.println("figure claim_theft_pings=" + r.transmitted() + " received=" + r.received() + " ttls=" + r.ttls().stream().distinct().toList());
    assertTrue(r.transmitted() >= 150 && r.lost() == 0, "pings to the owner's pod were lost: " + r);
    assertTrue(r.ttls().stream().allMatch(t -> t == 62), "someone else answered for the owner's pod: " + r.ttls());
    assertTrue(tb.agent(thief).isAlive(), "the thief's agent keeps running (refused, not crashed)");
  }
}
