package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.testing.E2ETest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13, join by name: a real DNS server (dnsmasq) on the underlay is every host's resolver.
 * node1 joins through {@code seeds.vxmesh.test}, whose two A records are a dead address and
 * master1 (only trying every address works, whatever order the server gives), plus a name the
 * server refuses (not fatal: logged, retried). node2 joins master1 by IP literal and must never
 * query DNS; master1 starts the mesh and must not either (Atomix's reverse lookups of inbound
 * connections stay in /etc/hosts).
 */
@ExtendWith(DiagnoseOnFailure.class)
@E2ETest
class DnsJoinE2ETest implements DiagnoseOnFailure.Source {
  static final String NAME = "seeds.vxmesh.test";
  static final String DEAD = "10.211.55.250";

  private Testbed tb;
  private DnsServer dns;

  @Override
  public Testbed testbed() {
    return tb;
  }

  @AfterEach
  void removeEverything() {
    try {
      if (dns != null) {
        System.out.println("e2e dns queries:\n" + dns.queries());
        dns.close();
      }
    } finally {
      if (tb != null) {
        tb.close();
      }
    }
  }

  @Test
  void aHostJoinsThroughANameWithADeadRecordAndAnIpJoinerNeverAsksDns() {
    Mesh.requireRootAndAgent();
    Assumptions.assumeTrue(Files.isExecutable(DnsServer.DNSMASQ), "dnsmasq is missing: apt-get install dnsmasq-base");
    tb = Testbed.create(3, false);
    Host master1 = tb.host(0);
    Host node1 = tb.host(1);
    Host node2 = tb.host(2);
    String master1Ip = master1.spec().underlayIp().getHostAddress();
    dns = new DnsServer(tb, Map.of(NAME, List.of(DEAD, master1Ip)));
    tb.hosts().forEach(dns::resolverOf);

    tb.startAgent(master1);
    tb.startAgent(node1, tb.agentToml(node1).withJoin(List.of("missing.vxmesh.test", NAME)));
    tb.startAgent(node2, tb.agentToml(node2).withJoin(List.of(master1Ip + ":7947")));
    Duration took = tb.awaitConverged(tb.hosts(), Mesh.CONVERGE, line -> { });
    System.out.printf("e2e dns join converged_ms=%d%n", took.toMillis());

    String log = tb.agent(node1).log();
    log.lines().filter(l -> l.contains("gossip")).forEach(l -> System.out.println("e2e node1 " + l));
    assertTrue(log.lines().anyMatch(l -> l.contains("gossip join name resolved name=" + NAME + ":7947")
            && l.contains(DEAD + ":7947") && l.contains(master1Ip + ":7947")),
        "node1 logs both addresses of the name: " + log);
    assertTrue(log.lines().anyMatch(l -> l.contains("WARN") && l.contains("gossip join name not resolved name=missing.vxmesh.test:7947")),
        "a name that does not resolve is a warning, not fatal: " + log);

    List<DnsServer.Query> queries = dns.queries();
    String node1Ip = node1.spec().underlayIp().getHostAddress();
    assertTrue(queries.contains(new DnsServer.Query("A", NAME, node1Ip)), "node1 asked the server: " + queries);
    assertEquals(List.of(), queries.stream().filter(q -> !q.from().equals(node1Ip)).toList(),
        "master1 (no join) and node2 (IP join) never query DNS");
    assertEquals(List.of(), queries.stream().filter(q -> !q.type().equals("A")).toList(),
        "node1 asks for A records only (no AAAA: gossip is IPv4; no PTR: reverse lookups stay in /etc/hosts)");
  }
}
