package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.atomix.cluster.Node;
import io.atomix.utils.net.Address;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.JoinEntry;
import java.net.Inet4Address;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import io.vxmesh.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The node list Atomix's probe loop and join sync draw from; time is passed in, no sockets. */
class RejoiningDiscoveryTest {
  private static final Address SEED = AtomixAddresses.address(HostPort.parse("127.0.0.1:7001"));
  private static final Address OTHER = AtomixAddresses.address(HostPort.parse("127.0.0.1:7002"));

  /** A clock the test moves by hand. */

  private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(1_000_000));

  private RejoiningDiscovery discovery(Set<String> live) {
    Set<HostPort> liveHostPorts = live.stream().map(HostPort::parse).collect(Collectors.toSet());
    return new RejoiningDiscovery(HostPort.parse("127.0.0.1:7000"), List.of(AtomixAddresses.hostPort(SEED)), clock, Duration.ofMillis(200), Duration.ofSeconds(4),
        () -> liveHostPorts);
  }

  private static Set<String> offered(RejoiningDiscovery d) {
    return d.getNodes().stream().map(Node::address).map(a -> AtomixAddresses.hostPort(a).toString()).collect(Collectors.toSet());
  }

  /**
   * The join flake: Atomix probes the seed and then, in the same tick, syncs with the discovery
   * nodes. The probe's backoff must not hide the seed from that sync, Atomix's only full state
   * transfer; after the sync was sent the backoff applies as before.
   */
  @Test
  void aSeedJustProbedIsStillOfferedToTheJoinSyncThenBacksOff() {
    RejoiningDiscovery d = discovery(Set.of());
    assertEquals(Set.of("127.0.0.1:7001"), offered(d));
    d.probed(SEED, false); // Atomix's first probe at start
    assertEquals(Set.of("127.0.0.1:7001"), offered(d), "the seed must be offered to the join sync");
    d.probed(SEED, true); // the join sync
    assertTrue(offered(d).isEmpty(), "after the sync the seed backs off");
    clock.advance(Duration.ofMillis(199));
    assertTrue(offered(d).isEmpty());
    clock.advance(Duration.ofMillis(1));
    assertEquals(Set.of("127.0.0.1:7001"), offered(d), "due again after the backoff");
  }

  @Test
  void liveAddressesAreNeverOfferedAndIntroducedMembersAreOfferedAtOnce() {
    RejoiningDiscovery d = discovery(Set.of("127.0.0.1:7001"));
    assertTrue(offered(d).isEmpty(), "a live seed is a member already");
    d.seen("n2", OTHER);
    assertEquals(Set.of("127.0.0.1:7002"), offered(d));
    d.probed(OTHER, false);
    assertTrue(offered(d).isEmpty(), "a probed recent member backs off");
    d.seen("n2", OTHER);
    assertEquals(Set.of("127.0.0.1:7002"), offered(d), "seen again resets the backoff");
  }

  // ---------------------------------------------------------------- seeds given as DNS names

  private static final JoinEntry.Name NAME = new JoinEntry.Name("seeds.example", 7001);

  /** A resolver whose lookups the test answers by hand; counts lookups. */
  private static final class HandResolver implements JoinResolver {
    final List<String> asked = new ArrayList<>();
    final List<CompletableFuture<List<Inet4Address>>> pending = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<List<Inet4Address>> resolve(String name) {
      asked.add(name);
      CompletableFuture<List<Inet4Address>> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    }

    synchronized void answer(String... ips) {
      pending.remove(0).complete(Arrays.stream(ips).map(IpAddresses::parseV4).toList());
    }

    synchronized void fail(String why) {
      pending.remove(0).completeExceptionally(new UnknownHostException(why));
    }

    @Override
    public void close() {}
  }

  private RejoiningDiscovery named(HandResolver r, Set<HostPort> live) {
    return new RejoiningDiscovery(HostPort.parse("127.0.0.1:7000"), List.of(), List.of(NAME), r, clock,
        Duration.ofMillis(200), Duration.ofSeconds(4), () -> live);
  }

  @Test
  void aNameIsLookedUpWithoutBlockingAndEveryAddressItGivesIsOffered() {
    HandResolver r = new HandResolver();
    RejoiningDiscovery d = named(r, Set.of());
    assertTrue(d.hasSeeds(), "a name is a seed before it resolved: the view must wait for a sync");
    assertTrue(offered(d).isEmpty(), "getNodes returns at once while the lookup is pending");
    assertEquals(List.of("seeds.example"), r.asked);
    assertTrue(offered(d).isEmpty());
    assertEquals(1, r.asked.size(), "one lookup at a time per name");
    r.answer("127.0.0.2", "127.0.0.3", "127.0.0.1");
    assertEquals(Set.of("127.0.0.2:7001", "127.0.0.3:7001", "127.0.0.1:7001"), offered(d));
    assertEquals(List.of(HostPort.parse("127.0.0.2:7001"), HostPort.parse("127.0.0.3:7001"), HostPort.parse("127.0.0.1:7001")),
        d.seedAddresses());
  }

  @Test
  void everyJoinAttemptLooksTheNameUpAgainAndTheNewAnswerReplacesTheOld() {
    HandResolver r = new HandResolver();
    RejoiningDiscovery d = named(r, Set.of());
    offered(d);
    r.answer("127.0.0.2", "127.0.0.3");
    clock.advance(Duration.ofMillis(200));
    offered(d);
    assertEquals(2, r.asked.size(), "due again after the backoff: looked up again");
    r.answer("127.0.0.3", "127.0.0.4");
    assertEquals(Set.of("127.0.0.3:7001", "127.0.0.4:7001"), offered(d), "127.0.0.2 left DNS: no seed any more");
    clock.advance(Duration.ofMillis(399));
    offered(d);
    assertEquals(2, r.asked.size(), "the name backs off like an address (200, 400 ms, ...)");
    clock.advance(Duration.ofMillis(1));
    offered(d);
    assertEquals(3, r.asked.size());
  }

  @Test
  void aFailedLookupKeepsTheLastAnswerAndIsRetriedOnTheNextAttempt() {
    HandResolver r = new HandResolver();
    RejoiningDiscovery d = named(r, Set.of());
    offered(d);
    r.answer("127.0.0.2");
    clock.advance(Duration.ofMillis(200));
    offered(d);
    r.fail("server failure");
    assertEquals(Set.of("127.0.0.2:7001"), offered(d), "the last answer stays");
    clock.advance(Duration.ofMillis(400));
    offered(d);
    assertEquals(3, r.asked.size(), "retried when due");
  }

  @Test
  void aNameWhoseAddressesAreAllLiveMembersIsNotLookedUp() {
    HandResolver r = new HandResolver();
    Set<HostPort> live = new java.util.HashSet<>();
    RejoiningDiscovery d = named(r, live);
    offered(d);
    r.answer("127.0.0.2");
    live.add(HostPort.parse("127.0.0.2:7001"));
    clock.advance(Duration.ofSeconds(10));
    assertTrue(offered(d).isEmpty());
    assertEquals(1, r.asked.size(), "joined: no lookups while every address is a live member");
    live.clear();
    offered(d);
    assertEquals(2, r.asked.size(), "the member went away: the next attempt looks the name up again");
  }

  @Test
  void resolveNamesNowLooksUpEveryNameAtOnceAndEndsWhenTheLookupsEnd() {
    HandResolver r = new HandResolver();
    RejoiningDiscovery d = named(r, Set.of());
    CompletableFuture<Void> first = d.resolveNamesNow();
    assertFalse(first.isDone());
    r.fail("timed out");
    assertTrue(first.isDone(), "a failed lookup ends the first attempt too");
    assertTrue(d.seedAddresses().isEmpty());
  }
}
