package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vxmesh.gossip.ClusterKey;
import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.ContinuousPings;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Poll;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.proto.KeyringKey;
import io.vxmesh.proto.KeyringResponse;
import io.vxmesh.proto.Member;
import io.vxmesh.testing.E2ETest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's key rotation procedure on a live five-host mesh, host by host, with every pod
 * pinging every other pod all along: 1. the new key accepted everywhere (reload), 2. the new key
 * primary everywhere (reload), 3. the old key removed everywhere (reload). No ping may go
 * unanswered and no member may leave the ALIVE state anywhere; afterwards a host that holds
 * only the old key cannot join. Reload is SIGHUP to each agent's PID, as
 * {@code systemctl reload vxmesh} sends it.
 */
@ExtendWith(DiagnoseOnFailure.class)
@E2ETest
class KeyRotationE2ETest implements DiagnoseOnFailure.Source {
  private static final Duration STEP = Duration.ofSeconds(20);
  private static final Pattern STATUS_CHANGE = Pattern.compile("member status node=(\\S+) status=(\\w+)");
  private Testbed tb;
  private final Map<Host, Path> keyFiles = new HashMap<>();

  @Override
  public Testbed testbed() {
    return tb;
  }

  @BeforeEach
  void fiveHostsEachWithItsOwnCopyOfTheKey() throws IOException {
    Mesh.requireRootAndAgent();
    tb = Testbed.create(5, true);
    ClusterKey old = ClusterKey.read(tb.agents().keyFile());
    for (Host h : tb.hosts()) {
      keyFiles.put(h, writeKeys(h, old));
      // One JVM start at a time: five at once on a loaded 2-core box blow the convergence budget.
      assertTrue(tb.startAgent(h, tb.agentToml(h).withKeyFile(keyFiles.get(h))).awaitSocket(Mesh.CONVERGE),
          h.name() + " agent did not open its API socket");
    }
    tb.awaitConverged(tb.hosts(), Mesh.CONVERGE, line -> { });
    Mesh.assertAllPodsPing(tb, tb.hosts());
  }

  @AfterEach
  void removeEverything() {
    if (tb != null) {
      tb.close();
    }
  }

  @Test
  void aLiveMeshRotatesItsKeyHostByHostWithoutLosingAPingOrAMember() throws IOException {
    List<Host> hosts = tb.hosts();
    ClusterKey old = ClusterKey.read(tb.agents().keyFile());
    ClusterKey next = ClusterKey.generate();
    Map<Host, Integer> logFrom = new HashMap<>();
    hosts.forEach(h -> logFrom.put(h, tb.agent(h).log().length()));

    List<ContinuousPings.Pair> pairs;
    long t0 = System.nanoTime();
    try (ContinuousPings pings = ContinuousPings.start(hosts, Duration.ofMillis(50))) {
      assertTrue(Poll.until(Duration.ofSeconds(10), Duration.ofMillis(100), () -> pings.answeredSoFar() >= 3 * 20),
          "pod pings flow before the rotation");

      // A slip on the way: a missing, then a malformed key file. The agent keeps its key and says so.
      Host first = hosts.get(0);
      AgentProcess firstAgent = tb.agent(first);
      Files.delete(keyFiles.get(first));
      firstAgent.reload();
      assertTrue(firstAgent.awaitLog("ERROR KeyringReload: keyring reload failed, keeping the keys in use", STEP), firstAgent.log());
      Files.writeString(writeKeys(first, old), "not a key\n", java.nio.file.StandardOpenOption.APPEND);
      firstAgent.reload();
      assertTrue(Poll.until(STEP, Duration.ofMillis(100), () -> firstAgent.log().split("keyring reload failed", -1).length == 3),
          firstAgent.log());
      assertTrue(firstAgent.isAlive(), "a bad reload never stops the agent");
      assertEquals(List.of(old.fingerprint()), firstAgent.keyring().getKeysList().stream().map(KeyringKey::getFingerprint).toList());

      // 1. Install the new key as accepted on every host; the old one still signs.
      for (Host h : hosts) {
        reload(h, List.of(old, next), k -> primaryIs(k, old) && k.getKeysCount() == 2);
      }
      // 2. Make the new key primary, host by host: the others accept it since step 1.
      for (Host h : hosts) {
        reload(h, List.of(next, old), k -> primaryIs(k, next) && k.getKeysCount() == 2);
      }
      // What an operator checks before step 3: every host sees every peer sign with the new key.
      for (Host h : hosts) {
        awaitKeyring(h, k -> peersUsing(k, next) == hosts.size() - 1 && peersUsing(k, old) == 0,
            "all peers sign with the new key");
      }
      // ... as the CLI shows it.
      String table = firstAgent.cli(Duration.ofSeconds(60), "keyring", "list", "--socket", firstAgent.socket().toString())
          .orThrow().stdout();
      assertTrue(table.matches("(?s).*" + next.fingerprint() + "\\s+primary\\s+4/4.*") && table.matches("(?s).*"
          + old.fingerprint() + "\\s+accepted\\s+0/4.*"), table);
      // 3. Remove the old key everywhere.
      for (Host h : hosts) {
        reload(h, List.of(next), k -> primaryIs(k, next) && k.getKeysCount() == 1);
      }
      for (Host h : hosts) {
        awaitKeyring(h, k -> peersUsing(k, next) == hosts.size() - 1 && k.getUnverified() == 0, "mesh on the new key alone");
      }
      int answered = pings.answeredSoFar();
      assertTrue(Poll.until(Duration.ofSeconds(10), Duration.ofMillis(100), () -> pings.answeredSoFar() >= answered + 3 * 20),
          "pod pings still flow after the old key is gone");
      pairs = pings.stop();
    }
    long rotationMs = (System.nanoTime() - t0) / 1_000_000;

    List<ContinuousPings.Pair> lossy = pairs.stream().filter(p -> !p.unanswered().isEmpty() || !p.ttls().equals(java.util.Set.of(62)))
        .toList();
    int sent = pairs.stream().mapToInt(ContinuousPings.Pair::transmitted).sum();
    System.out.printf("e2e key rotation: hosts=%d pairs=%d pings_sent=%d unanswered=%d duration_ms=%d%n", hosts.size(),
        pairs.size(), sent, pairs.stream().mapToInt(p -> p.unanswered().size()).sum(), rotationMs);
    assertEquals(List.of(), lossy, "pod pings lost during the rotation");
    assertTrue(pairs.stream().allMatch(p -> p.transmitted() >= 20), "every pair pinged throughout: " + pairs);

    List<String> changes = new ArrayList<>();
    for (Host h : hosts) {
      Matcher m = STATUS_CHANGE.matcher(tb.agent(h).log().substring(logFrom.get(h)));
      while (m.find()) {
        changes.add(h.name() + " saw " + m.group(1) + " " + m.group(2));
      }
    }
    assertEquals(List.of(), changes, "membership changed during the rotation");
    for (Host h : hosts) {
      List<Member> members = tb.agent(h).membersViaApi().getMembersList();
      assertEquals(hosts.size(), members.size(), h.name() + ": " + members);
      assertTrue(members.stream().allMatch(mi -> mi.getStatus().equals("alive")), h.name() + ": " + members);
    }

    // A host still holding only the old key can no longer join.
    Host stale = tb.addHost();
    keyFiles.put(stale, writeKeys(stale, old));
    AgentProcess staleAgent = tb.startAgent(stale, tb.agentToml(stale).withKeyFile(keyFiles.get(stale)));
    String staleIp = stale.spec().underlayIp().getHostAddress();
    AgentProcess seed = tb.agent(hosts.get(0));
    assertTrue(Poll.until(Duration.ofSeconds(30), Duration.ofMillis(500), () -> seed.status().getRejectedSourcesList().stream()
        .anyMatch(r -> r.getSource().equals(staleIp) && r.getCount() >= 3)), // counted by the real IP alone
        "the seed rejects the old-key host's packets: " + seed.status().getRejectedSourcesList());
    for (Host h : hosts) {
      assertTrue(tb.agent(h).membersViaApi().getMembersList().stream().noneMatch(mi -> mi.getName().equals(stale.name())),
          h.name() + " lists the old-key host");
    }
    assertEquals(List.of(stale.name()), staleAgent.membersViaApi().getMembersList().stream().map(Member::getName).toList(),
        "the old-key host sees nobody");
    assertTrue(tb.tables().hasNoPeerEntries(hosts.get(0), stale), "no routes to the old-key host");
    Mesh.assertAllPodsPing(tb, hosts);
  }

  /** Writes {@code keys} (the first signs) to the host's key file, then SIGHUPs its agent and awaits the result. */
  private void reload(Host h, List<ClusterKey> keys, Predicate<KeyringResponse> expected) {
    writeKeys(h, keys.toArray(ClusterKey[]::new));
    tb.agent(h).reload();
    awaitKeyring(h, expected, "reload with " + keys.size() + " keys");
  }

  private void awaitKeyring(Host h, Predicate<KeyringResponse> expected, String what) {
    KeyringResponse[] last = {null};
    if (!Poll.until(STEP, Duration.ofMillis(200), () -> expected.test(last[0] = tb.agent(h).keyring()))) {
      fail(h.name() + ": " + what + " not reached within " + STEP.toMillis() + " ms; keyring list says " + last[0]);
    }
  }

  private static boolean primaryIs(KeyringResponse k, ClusterKey key) {
    return k.getKeysCount() > 0 && k.getKeys(0).getPrimary() && k.getKeys(0).getFingerprint().equals(key.fingerprint());
  }

  private static int peersUsing(KeyringResponse k, ClusterKey key) {
    return k.getKeysList().stream().filter(x -> x.getFingerprint().equals(key.fingerprint())).mapToInt(KeyringKey::getPeers).sum();
  }

  /** The host's own key file, root-only like a real one; replaced whole (write to a temp, then rename). */
  private Path writeKeys(Host h, ClusterKey... keys) {
    Path file = tb.dir().resolve(h.name() + ".key");
    Path tmp = tb.dir().resolve(h.name() + ".key.tmp");
    StringBuilder b = new StringBuilder("# written by KeyRotationE2ETest, first key signs\n");
    for (ClusterKey k : keys) {
      b.append(k.toBase64()).append('\n');
    }
    try {
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, b, StandardCharsets.US_ASCII);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return file;
  }
}
