package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.KernelTables;
import io.vxmesh.lab.testbed.Pings;
import io.vxmesh.lab.testbed.Poll;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.proto.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Shared steps and assertions of the end-to-end tests: start agents, wait, read every host's
 * kernel, ping every pod. Budgets are the agent issue's promises, in one place so the lead can
 * tune them to the agent's configured timers.
 */
final class Mesh {
  /** Start of all agents until every host has every route. */
  static final Duration CONVERGE = Duration.ofSeconds(30);
  /*
   * The budgets below are what a loaded 2-core CI box keeps with 5 JVMs (a test must fail when
   * the thing never happens, not when the box is busy); the goals are the benchmarks' to measure.
   */
  /** A new host: from agent start until every peer has its routes (issue 6 goal: 1 s p99 at 20). */
  static final Duration JOIN = Duration.ofSeconds(15);
  /** kill -9 until the last peer removed the host ("within the configured failure time"; goal 2 s). */
  static final Duration CRASH = Duration.ofSeconds(15);
  /** kill -STOP until the last peer removed the host (goal 5 s). */
  static final Duration FREEZE = Duration.ofSeconds(15);
  /** vxmesh leave until the last peer removed the host ("at once"; goal 0.5 s). */
  static final Duration LEAVE = Duration.ofSeconds(10);
  /** A hand-deleted route, neighbour, FDB entry or VTEP device is back (goal 1 s). */
  static final Duration REPAIR = Duration.ofSeconds(10);
  /** After a partition heals, every ping works again (goal 10 s). */
  static final Duration HEAL = Duration.ofSeconds(20);

  private Mesh() {}

  static void requireRootAndAgent() {
    TestNetns.assumeRoot();
  }

  /** Starts agents on {@code hosts} (host 0 first: it starts the mesh) and waits for convergence. */
  static void startAll(Testbed tb, List<Host> hosts) {
    hosts.forEach(tb::startAgent);
    tb.awaitConverged(hosts, CONVERGE, line -> { });
  }

  /** The status {@code observer}'s agent reports for member {@code name}; empty if not listed. */
  static String status(Testbed tb, Host observer, String name) {
    return member(tb, observer, name).map(Member::getStatus).orElse("");
  }

  /** Member {@code name} as {@code observer}'s agent lists it. */
  static Optional<Member> member(Testbed tb, Host observer, String name) {
    return tb.agent(observer).members().getMembersList().stream().filter(m -> m.getName().equals(name)).findFirst();
  }

  /**
   * Until {@code until} is done, checks without pause that {@code owner} stays {@code alive} with
   * its pod CIDR routed via its VTEP on every other host of {@code mesh}, and that no host routes
   * anything via {@code intruder}'s VTEP; {@code alsoOnEveryHost} adds checks per host.
   */
  static void assertOwnerKeptWhile(Testbed tb, List<Host> mesh, Host owner, Host intruder, Future<?> until,
      Consumer<Host> alsoOnEveryHost) {
    String cidr = owner.spec().podCidr().toString();
    String ownerVtep = owner.spec().vtepIp().getHostAddress();
    String intruderVtep = intruder.spec().vtepIp().getHostAddress();
    while (!until.isDone()) {
      for (Host h : mesh) {
        if (!h.equals(owner)) {
          assertEquals("alive", status(tb, h, owner.name()), "on " + h.name());
          assertTrue(tb.tables().routes(h).stream().anyMatch(r -> r.dst().equals(cidr) && ownerVtep.equals(r.gateway())),
              h.name() + " lost the owner's route: " + tb.tables().routes(h));
        }
        assertTrue(tb.tables().routes(h).stream().noneMatch(r -> intruderVtep.equals(r.gateway())),
            h.name() + " routes via " + intruder.name() + ": " + tb.tables().routes(h));
        alsoOnEveryHost.accept(h);
      }
    }
  }

  static boolean hasEntriesFor(Testbed tb, Host h, Host peer) {
    return tb.tables().hasPeerEntries(h, peer);
  }

  static boolean hasNoEntriesFor(Testbed tb, Host h, Host peer) {
    return tb.tables().hasNoPeerEntries(h, peer);
  }

  /** Waits until no observer has entries for {@code gone}; returns how long it took. */
  static Duration awaitForgotten(Testbed tb, Collection<Host> observers, Host gone, Duration budget, String what) {
    long t0 = System.nanoTime();
    boolean ok = Poll.until(budget, Duration.ofMillis(50),
        () -> observers.stream().allMatch(h -> h.equals(gone) || hasNoEntriesFor(tb, h, gone)));
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    if (!ok) {
      List<String> still = observers.stream().filter(h -> !h.equals(gone) && !hasNoEntriesFor(tb, h, gone)).map(Host::name).toList();
      fail(what + ": " + still + " still have entries for " + gone.name() + " after " + budget.toMillis() + " ms");
    }
    System.out.printf("e2e %s forgotten_ms=%d%n", what, took.toMillis());
    return took;
  }

  /** Waits until every observer has all entries for {@code peer}; returns how long it took. */
  static Duration awaitKnown(Testbed tb, Collection<Host> observers, Host peer, Duration budget, String what) {
    long t0 = System.nanoTime();
    boolean ok = Poll.until(budget, Duration.ofMillis(50),
        () -> observers.stream().allMatch(h -> h.equals(peer) || hasEntriesFor(tb, h, peer)));
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    if (!ok) {
      List<String> lacking = observers.stream().filter(h -> !h.equals(peer) && !hasEntriesFor(tb, h, peer)).map(Host::name).toList();
      fail(what + ": " + lacking + " lack entries for " + peer.name() + " after " + budget.toMillis() + " ms");
    }
    System.out.printf("e2e %s known_ms=%d%n", what, took.toMillis());
    return took;
  }

  /**
   * {@code h}'s VTEP holds exactly one neighbour, one FDB entry and one route per peer, with the
   * peer's values, and nothing else (the kernel's own connected route of the VTEP subnet aside).
   */
  static void assertExactlyPeers(Testbed tb, Host h, Collection<Host> peers) {
    List<Host> others = peers.stream().filter(p -> !p.equals(h)).toList();
    assertEquals(
        others.stream().map(p -> new KernelTables.Neigh(p.spec().vtepIp().getHostAddress(), p.spec().vtepMac().toString(), List.of("PERMANENT")))
            .collect(Collectors.toSet()),
        Set.copyOf(tb.tables().neighbours(h)), "neighbours on " + h.name());
    assertEquals(
        others.stream().map(p -> new KernelTables.Fdb(p.spec().vtepMac().toString(), p.spec().underlayIp().getHostAddress(), List.of("self"), "permanent"))
            .collect(Collectors.toSet()),
        Set.copyOf(tb.tables().fdb(h)), "FDB on " + h.name());
    List<KernelTables.Route> routes = tb.tables().routes(h).stream().filter(r -> !"kernel".equals(r.protocol())).toList();
    assertEquals(others.size(), routes.size(), "routes on " + h.name() + ": " + routes);
    for (Host p : others) {
      assertTrue(routes.stream().anyMatch(r -> p.spec().podCidr().toString().equals(r.dst())
              && p.spec().vtepIp().getHostAddress().equals(r.gateway())),
          h.name() + " lacks " + p.spec().podCidr() + " via " + p.spec().vtepIp().getHostAddress() + ": " + routes);
    }
  }

  /** Every pod of {@code members} reaches every other pod, with TTL 62. */
  static void assertAllPodsPing(Testbed tb, List<Host> members) {
    List<String> bad = new ArrayList<>();
    for (Pings.PodPing p : tb.pings().matrix(members)) {
      if (!p.result().allReceived() || p.result().ttl() != 62) {
        bad.add(p.from().name() + "->" + p.to().name() + " " + p.result());
      }
    }
    assertEquals(List.of(), bad, "pod-to-pod pings that failed");
  }
}
