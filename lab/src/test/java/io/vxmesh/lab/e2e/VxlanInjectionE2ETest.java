package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Poll;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.proto.StatusResponse;
import io.vxmesh.proto.VxlanFilterStatus;
import io.vxmesh.testing.E2ETest;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12, attack 2 ("VXLAN injection"), for real: a host on the underlay that is not a
 * member (h2, no agent) builds its own VXLAN device aimed at the victim h0 (same VNI and port)
 * and sends 10 pings to h0's pod with the inner source spoofed as member h1's pod. The victim
 * pod counts what reaches it (an nft counter in the pod's namespace).
 *
 * <p>With {@code [agent] vxlan_filter = false} (what every agent did before the filter) all 10
 * reach the pod: the attack is real. With the default the agent's table {@code ip vxmesh} drops
 * all of them, its counter (in {@code vxmesh status}) shows them, and the members' own pod
 * pings still work; with the agent stopped (SIGTERM) the table stays and still drops them.
 */
@ExtendWith(DiagnoseOnFailure.class)
@E2ETest
class VxlanInjectionE2ETest implements DiagnoseOnFailure.Source {
  static final int SENT = 10;
  private Testbed tb;

  @Override
  public Testbed testbed() {
    return tb;
  }

  @BeforeEach
  void threeHostsTwoMembers() {
    Mesh.requireRootAndAgent();
    TestNetns.assumeNft();
    tb = Testbed.create(3, true);
  }

  @AfterEach
  void removeEverything() {
    if (tb != null) {
      tb.close();
    }
  }

  @Test
  void vxlanFromANonMemberIsDroppedAndCountedWhileMembersStillPing() {
    Host victim = tb.host(0);
    Host member = tb.host(1);
    Host attacker = tb.host(2);
    List<Host> members = List.of(victim, member);
    AgentProcess unfiltered = tb.startAgent(victim, tb.agentToml(victim).with("agent.vxlan_filter", false));
    tb.startAgent(member);
    tb.awaitConverged(members, Mesh.CONVERGE, line -> { });
    arm(victim, member, attacker);

    int before = attack(victim, attacker);
    System.out.printf("e2e vxlan_injection filter=off sent=%d delivered=%d%n", SENT, before);
    assertEquals(SENT, before, "without the filter the spoofed pings reach the victim pod (the attack is real)");

    unfiltered.stop(Duration.ofSeconds(20));
    AgentProcess filtered = tb.startAgent(victim);
    tb.awaitConverged(members, Mesh.CONVERGE, line -> { });
    assertTrue(Poll.until(Mesh.REPAIR, Duration.ofMillis(100), () -> nft(victim, "list", "set", "ip", "vxmesh", "members")
        .contains(member.spec().underlayIp().getHostAddress())), "the member's host address is in the set");

    long droppedBefore = filter(filtered).getDroppedPackets();
    int after = attack(victim, attacker);
    long dropped = filter(filtered).getDroppedPackets() - droppedBefore;
    System.out.printf("e2e vxlan_injection filter=on sent=%d delivered=%d dropped_counter=%d%n", SENT, after, dropped);
    assertEquals(0, after, "with the filter no spoofed ping reaches the victim pod");
    assertEquals(SENT, dropped, "the drop counter rose by exactly the spoofed pings");
    ExecResult status = filtered.cli(Duration.ofSeconds(20), "status", "--socket", filtered.socket().toString());
    assertTrue(status.stdout().contains("VXLAN:      only from members (ip vxmesh, 1 members, port 4899): dropped "),
        status.stdout());

    Mesh.assertAllPodsPing(tb, members);

    // SIGTERM keeps the kernel as it is (hitless restart): the filter holds without the agent
    assertEquals(0, filtered.stop(Duration.ofSeconds(20)));
    assertTrue(nft(victim, "list", "set", "ip", "vxmesh", "members").contains(member.spec().underlayIp().getHostAddress()),
        "the table and its members stay when the agent stops");
    int stopped = attack(victim, attacker);
    System.out.printf("e2e vxlan_injection filter=on agent=stopped sent=%d delivered=%d%n", SENT, stopped);
    assertEquals(0, stopped, "with the agent stopped the kernel still drops the spoofed pings");
    Mesh.assertAllPodsPing(tb, members);
  }

  /**
   * The attacker's kit on h2 (a plain underlay host): a VXLAN device with the mesh's VNI and
   * port sending to the victim's underlay address, the member's pod address on it as the
   * spoofed source, the victim VTEP's MAC as the inner destination. The victim pod counts
   * echo requests from that spoofed source.
   */
  private void arm(Host victim, Host member, Host attacker) {
    String atk = tb.prefix() + "-x";
    String spoofed = member.spec().podIp().getHostAddress();
    String target = victim.spec().podIp().getHostAddress();
    for (List<String> cmd : List.of(
        List.of("ip", "link", "add", atk, "type", "vxlan", "id", String.valueOf(tb.overlay().vni()), "dstport",
            String.valueOf(tb.overlay().port()), "remote", victim.spec().underlayIp().getHostAddress(), "local",
            attacker.spec().underlayIp().getHostAddress(), "dev", attacker.underlayDevice(), "nolearning"),
        List.of("sysctl", "-qw", "net.ipv6.conf." + atk + ".disable_ipv6=1"), // no IPv6 chatter: it sends only the pings
        List.of("ip", "link", "set", atk, "up"),
        List.of("ip", "addr", "add", spoofed + "/32", "dev", atk),
        List.of("ip", "neigh", "add", target, "lladdr", victim.spec().vtepMac().toString(), "dev", atk, "nud", "permanent"),
        List.of("ip", "route", "add", target + "/32", "dev", atk, "src", spoofed))) {
      tb.topology().execHost(attacker, Duration.ofSeconds(20), cmd.toArray(String[]::new)).orThrow();
    }
    ExecResult r = io.vxmesh.lab.testbed.Exec.run(Duration.ofSeconds(20),
        List.of("ip", "netns", "exec", victim.requirePod().ns(), "nft", "-f", "-"),
        "table ip observe {\n chain input {\n  type filter hook input priority 0; policy accept;\n"
            + "  ip saddr " + spoofed + " icmp type echo-request counter\n }\n}\n");
    r.orThrow();
  }

  /** Sends {@link #SENT} spoofed pings from the attacker; returns how many more reached the victim pod. */
  private int attack(Host victim, Host attacker) {
    long before = delivered(victim);
    tb.topology().execHost(attacker, Duration.ofSeconds(30), "ping", "-c", String.valueOf(SENT), "-i", "0.2", "-W", "1",
        "-I", tb.host(1).spec().podIp().getHostAddress(), victim.spec().podIp().getHostAddress()); // replies go to h1: none come back
    Poll.until(Duration.ofSeconds(2), Duration.ofMillis(100), () -> delivered(victim) - before >= SENT);
    return (int) (delivered(victim) - before);
  }

  private long delivered(Host victim) {
    String out = tb.topology().exec(victim.requirePod().ns(), Duration.ofSeconds(20), "nft", "list", "table", "ip", "observe")
        .orThrow().stdout();
    Matcher m = Pattern.compile("counter packets (\\d+)").matcher(out);
    if (!m.find()) {
      throw new AssertionError("no counter in " + out);
    }
    return Long.parseLong(m.group(1));
  }

  private String nft(Host h, String... args) {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "nft";
    System.arraycopy(args, 0, cmd, 1, args.length);
    ExecResult r = tb.topology().execHost(h, Duration.ofSeconds(20), cmd);
    return r.ok() ? r.stdout() : "";
  }

  private static VxlanFilterStatus filter(AgentProcess a) {
    ExecResult r = a.cli(Duration.ofSeconds(20), "status", "-o", "json", "--socket", a.socket().toString()).orThrow();
    StatusResponse.Builder b = StatusResponse.newBuilder();
    try {
      JsonFormat.parser().ignoringUnknownFields().merge(r.stdout(), b);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("`vxmesh status -o json` printed no StatusResponse: " + r.stdout(), e);
    }
    return b.getVxlanFilter();
  }
}
