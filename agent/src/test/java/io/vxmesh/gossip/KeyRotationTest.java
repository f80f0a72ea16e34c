package io.vxmesh.gossip;

import static io.vxmesh.gossip.Fixtures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Key rotation with real Atomix members on loopback: several keys accepted, one signs. */
class KeyRotationTest {
  private final ClusterKey a = ClusterKey.generate();
  private final ClusterKey b = ClusterKey.generate();
  private final List<AtomixMembership> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(m -> m.leave(Duration.ofMillis(1)));
  }

  private AtomixMembership member(String name, int port, List<String> seeds, Keyring keys, int n) throws Exception {
    GossipSettings s = Fixtures.settings(name, port, seeds, keys.primary(), n);
    AtomixMembership m = new AtomixMembership(new GossipSettings(s.nodeName(), s.advertise(), s.port(), s.bind(), s.seeds(),
        keys, s.timers(), s.validation(), s.announcement(), s.clock()));
    started.add(m);
    m.start();
    return m;
  }

  /** On every member: {@code key} signs the current announcement of all other members. */
  private static boolean allSignWith(List<AtomixMembership> ms, ClusterKey key) {
    return ms.stream().allMatch(on -> on.keyring().keys().stream()
        .anyMatch(k -> k.fingerprint().equals(key.fingerprint()) && k.peers() == ms.size() - 1));
  }

  private static int peersUsing(AtomixMembership on, ClusterKey key) {
    return on.keyring().keys().stream().filter(k -> k.fingerprint().equals(key.fingerprint()))
        .mapToInt(KeyringStatus.Key::peers).sum();
  }

  @Test
  void membersWithDifferentPrimariesButASharedAcceptedKeyAreOneMeshAndAnUnknownKeyIsRefused() throws Exception {
    int seedPort = Fixtures.freePort();
    String seed = "127.0.0.1:" + seedPort;
    AtomixMembership n1 = member("n1", seedPort, List.of(), Keyring.of(a, b), 1);
    AtomixMembership n2 = member("n2", Fixtures.freePort(), List.of(seed), Keyring.of(b, a), 2);
    List<AtomixMembership> mesh = List.of(n1, n2);
    await(Duration.ofSeconds(15), "n1 (signs a) and n2 (signs b) alive in both views", () -> Fixtures.allAlive(mesh));
    await(Duration.ofSeconds(5), "each sees the other's primary in use", () -> peersUsing(n1, b) == 1 && peersUsing(n2, a) == 1);
    assertEquals(new KeyringStatus(List.of(new KeyringStatus.Key(a.fingerprint(), true, 0),
        new KeyringStatus.Key(b.fingerprint(), false, 1)), 1, 0), n1.keyring());

    long rejectedBefore = n1.stats().rejectedPackets();
    AtomixMembership stranger = member("n3", Fixtures.freePort(), List.of(seed), Keyring.of(ClusterKey.generate()), 3);
    await(Duration.ofSeconds(10), "the stranger's packets rejected by n1", () -> n1.stats().rejectedPackets() > rejectedBefore + 3);
    assertTrue(Fixtures.allAlive(mesh), "the mesh is unaffected");
    for (AtomixMembership on : mesh) {
      assertTrue(on.view().members().stream().noneMatch(s -> s.name().equals("n3")), on.view().toString());
    }
    assertEquals(List.of("n3"), stranger.view().members().stream().map(MemberState::name).toList());
  }

  @Test
  void aLiveMeshRotatesItsKeyMemberByMemberWithoutAnyMemberEverDropping() throws Exception {
    int seedPort = Fixtures.freePort();
    String seed = "127.0.0.1:" + seedPort;
    List<AtomixMembership> ms = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      ms.add(member("n" + i, i == 1 ? seedPort : Fixtures.freePort(), List.of(seed), Keyring.of(a), i));
    }
    await(Duration.ofSeconds(15), "3 alive on key a", () -> Fixtures.allAlive(ms));

    // Watch every view all along: any member not ALIVE anywhere is a drop.
    ConcurrentLinkedQueue<String> drops = new ConcurrentLinkedQueue<>();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher = new Thread(() -> {
      while (watching.get()) {
        if (!Fixtures.allAlive(ms)) {
          ms.forEach(on -> drops.add(on.view().toString()));
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    watcher.start();
    try {
      Consumer<Keyring> step = k -> ms.forEach(m -> m.useKeyring(k));
      step.accept(Keyring.of(a, b)); // 1. new key accepted everywhere
      step.accept(Keyring.of(b, a)); // 2. new key signs everywhere (one member after the other)
      Duration resigned = await(Duration.ofSeconds(10), "every member's announcement signed with b everywhere",
          () -> allSignWith(ms, b));
      System.out.println("figure rotation_resign_spread_ms=" + resigned.toMillis());
      assertTrue(ms.stream().allMatch(on -> peersUsing(on, a) == 0), "old key unused: safe to remove");
      step.accept(Keyring.of(b)); // 3. old key removed
      await(Duration.ofSeconds(5), "gossip still flowing on b alone", () -> allSignWith(ms, b) && Fixtures.allAlive(ms));
    } finally {
      watching.set(false);
      watcher.join();
    }
    assertTrue(drops.isEmpty(), "a member dropped during rotation: " + drops.peek());

    long rejectedBefore = ms.get(0).stats().rejectedPackets();
    AtomixMembership stale = member("n4", Fixtures.freePort(), List.of(seed), Keyring.of(a), 4);
    await(Duration.ofSeconds(10), "the old-key member's packets rejected",
        () -> ms.get(0).stats().rejectedPackets() > rejectedBefore + 3);
    assertTrue(Fixtures.allAlive(ms));
    assertTrue(ms.stream().allMatch(on -> on.view().members().stream().noneMatch(s -> s.name().equals("n4"))));
    assertEquals(List.of("n4"), stale.view().members().stream().map(MemberState::name).toList());
  }

  @Test
  void aMemberStillSigningOnlyWithARemovedKeyBecomesUntrusted() throws Exception {
    int seedPort = Fixtures.freePort();
    AtomixMembership n1 = member("n1", seedPort, List.of(), Keyring.of(a, b), 1);
    AtomixMembership n2 = member("n2", Fixtures.freePort(), List.of("127.0.0.1:" + seedPort), Keyring.of(a, b), 2);
    await(Duration.ofSeconds(15), "2 alive", () -> Fixtures.allAlive(List.of(n1, n2)));
    n1.useKeyring(Keyring.of(b)); // removed a too early: n2 still signs with it
    await(Duration.ofSeconds(5), "n2's announcement (signed with a) no longer trusted by n1", () -> n1.view().members().stream()
        .anyMatch(s -> s.name().equals("n2") && s.status() != MemberStatus.ALIVE));
    assertEquals(1, n1.keyring().unverified());
  }
}
