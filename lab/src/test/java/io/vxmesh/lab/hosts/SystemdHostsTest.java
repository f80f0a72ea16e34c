package io.vxmesh.lab.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.testing.SystemdHostsSuite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * vxmesh the way users run it: three Debian bookworm hosts with systemd as PID 1, the project's
 * {@code .deb} installed with {@code dpkg -i}, the shipped {@code /etc/vxmesh/vxmesh.toml}
 * edited the way the README says (VTEP address, pod CIDR, seed), one key made with
 * {@code vxmesh keygen} and copied to every host, {@code systemctl start vxmesh}. Then what an
 * operator relies on: units active, every host sees every host alive, pods ping across hosts,
 * a restart loses no packet, a stop ends clean, a bad config fails once and says why, the
 * socket is for root and the vxmesh group only, journald gets priorities.
 *
 * <p>The steps build on each other (one mesh for the class, ordered); a failed step leaves the
 * later ones to report what they see. Needs root, {@code systemd-nspawn} and {@code mmdebstrap}
 * ({@code .ci/run} installs them); skipped loudly without them outside CI, failed in CI.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
@ExtendWith(JournalOnFailure.class)
@SystemdHostsSuite
class SystemdHostsTest {
  static final int N = 3;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String CONFIG = "/etc/vxmesh/vxmesh.toml";
  private static final String KEY = "/etc/vxmesh/cluster.key";
  private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received");

  SystemdHosts mesh;
  private String shippedConfig;

  @BeforeAll
  @Timeout(value = 20, unit = java.util.concurrent.TimeUnit.MINUTES) // the first run builds the rootfs
  void boot() {
    Prerequisites.require();
    Path deb = Path.of(System.getProperty("vxmesh.deb", "packaging/target/vxmesh_0.1.0_all.deb"));
    assertTrue(Files.isRegularFile(deb), "the package " + deb + " is missing: build it with `mvn -B package -DskipTests`");
    long t0 = System.nanoTime();
    mesh = SystemdHosts.boot(N, deb);
    JournalOnFailure.mesh = mesh;
    System.out.printf("systemd hosts: %d booted in %.1f s (prefix %s)%n", N, (System.nanoTime() - t0) / 1e9, mesh.prefix());
  }

  @AfterAll
  void shutdown() {
    if (mesh != null && System.getenv("VXMESH_LAB_KEEP") != null) {
      System.out.println("VXMESH_LAB_KEEP: hosts of " + mesh.prefix() + " left running; enter one with: nsenter -t "
          + mesh.host(1).leader + " -a bash");
      mesh.keep();
      return;
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  @Order(1)
  void packageInstallsWithDpkgAndLeavesTheServiceAlone() {
    for (var h : mesh.hosts()) {
      h.exec("dpkg", "-i", "/opt/vxmesh.deb").check();
      assertEquals("disabled", h.exec("systemctl", "is-enabled", "vxmesh").out().strip(), h + ": the package must not enable the unit");
      assertEquals("inactive", h.exec("systemctl", "is-active", "vxmesh").out().strip(), h + ": the package must not start the unit");
      assertFalse(h.exec("test", "-e", KEY).ok(), h + ": the package must not ship or make a cluster key");
      assertTrue(h.exec("getent", "group", "vxmesh").ok(), h + ": the package creates the vxmesh group");
      String doc = show(h, "Documentation");
      assertTrue(doc.startsWith("file:") && h.exec("test", "-r", doc.substring("file:".length())).ok(),
          h + ": the unit's Documentation= points at an installed file: " + doc);
    }
    shippedConfig = mesh.host(1).readFile(CONFIG);
  }

  @Test
  @Order(2)
  void agentRefusesToStartWithoutAKeyAndSaysHowToMakeOne() {
    var h = mesh.host(1);
    configure(h);
    Sh.Result start = h.exec("systemctl", "start", "vxmesh");
    assertNotEquals(0, start.exit(), "start without a key must fail");
    assertEquals("78", show(h, "ExecMainStatus"), "exit status without a key");
    String journal = journal(h, false);
    assertTrue(journal.contains(KEY) && journal.contains("vxmesh keygen"), "the journal names the key file and how to make it:\n" + journal);
    h.exec("systemctl", "reset-failed", "vxmesh");
  }

  @Test
  @Order(3)
  void everyHostStartsWithTheShippedConfigEditedAsTheReadmeSays() {
    // One key for the whole mesh, made once on one host and copied to the others (0600 root).
    String key = mesh.host(1).exec("vxmesh", "keygen").check().out();
    for (var h : mesh.hosts()) {
      configure(h);
      h.writeFile(KEY, key, "0600");
    }
    for (var h : mesh.hosts()) {
      long t0 = System.nanoTime();
      h.execIn(Duration.ofSeconds(90), null, "systemctl", "start", "vxmesh").check();
      System.out.printf("%s: systemctl start vxmesh returned (READY) after %.1f s%n", h, (System.nanoTime() - t0) / 1e9);
    }
    for (var h : mesh.hosts()) {
      assertEquals("active", h.exec("systemctl", "is-active", "vxmesh").out().strip(), h + ": unit state");
    }
  }

  @Test
  @Order(4)
  void everyHostListsEveryHostAlive() {
    for (var h : mesh.hosts()) {
      Map<String, String> seen = SystemdHosts.await(deadline(CONVERGE), h + " to see all hosts alive", () -> {
        Map<String, String> status = members(h);
        boolean all = status.size() == N && status.values().stream().allMatch("alive"::equals);
        return all ? Optional.of(status) : Optional.empty();
      });
      assertEquals(Map.of("h1", "alive", "h2", "alive", "h3", "alive"), seen, h + ": vxmesh members -o json");
    }
  }

  @Test
  @Order(5)
  void podsOnDifferentHostsPingEachOtherThroughTwoRouters() {
    for (var a : mesh.hosts()) {
      for (var b : mesh.hosts()) {
        if (a == b) {
          continue;
        }
        String out = SystemdHosts.await(deadline(CONVERGE), "pod " + a.podIp() + " to reach " + b.podIp(), () -> {
          Sh.Result r = a.pod(Duration.ofSeconds(10), "ping", "-n", "-c", "2", "-W", "2", b.podIp());
          return r.ok() ? Optional.of(r.out()) : Optional.empty();
        });
        // Pod -> host a -> (VXLAN) -> host b -> pod: two routers, TTL 64 - 2.
        assertTrue(out.contains("ttl=62"), a.name() + " pod -> " + b.name() + " pod: expected ttl=62:\n" + out);
      }
    }
  }

  @Test
  @Order(6)
  void restartOfOneHostLosesNoPodPingAt100PerSecond() throws Exception {
    var restarted = mesh.host(1);
    var from = mesh.host(2);
    // 800 pings at 100/s (8 s) through the restarting host; the restart happens in the middle.
    CompletableFuture<Sh.Result> ping = CompletableFuture.supplyAsync(
        () -> from.pod(Duration.ofSeconds(60), "ping", "-n", "-q", "-i", "0.01", "-c", "800", "-W", "1", restarted.podIp()));
    // Wait until pings flow, then restart (systemctl returns once the new agent is READY).
    SystemdHosts.await(deadline(Duration.ofSeconds(10)), "the ping to start", () -> Optional.ofNullable(
        ping.isDone() ? Boolean.TRUE : (processRunning("ping -n -q -i 0.01 -c 800") ? Boolean.TRUE : null)));
    long t0 = System.nanoTime();
    restarted.execIn(Duration.ofSeconds(90), null, "systemctl", "restart", "vxmesh").check();
    System.out.printf("%s: systemctl restart vxmesh took %.1f s%n", restarted, (System.nanoTime() - t0) / 1e9);
    Sh.Result r = ping.get();
    Matcher m = PING_SUMMARY.matcher(r.out());
    assertTrue(m.find(), "ping printed no summary (did it run?):\n" + r.describe());
    int sent = Integer.parseInt(m.group(1));
    int received = Integer.parseInt(m.group(2));
    System.out.printf("restart under ping: %d sent, %d received%n", sent, received);
    assertEquals(800, sent, "pings sent");
    assertEquals(sent, received, "pings lost while " + restarted.name() + " restarted:\n" + r.out());
    assertEquals("active", restarted.exec("systemctl", "is-active", "vxmesh").out().strip());
    assertEquals("0", show(restarted, "NRestarts"), "a restart by the operator is not a crash restart");
  }

  @Test
  @Order(7)
  void socketIsForRootAndTheVxmeshGroupOnly() {
    var h = mesh.host(2);
    h.exec("useradd", "--no-create-home", "--groups", "vxmesh", "alice").check();
    h.exec("useradd", "--no-create-home", "bob").check();
    Sh.Result alice = h.exec("runuser", "-u", "alice", "--", "vxmesh", "members");
    assertEquals(0, alice.exit(), "a member of the vxmesh group may use the CLI:\n" + alice.describe());
    assertTrue(alice.out().contains("h3"), alice.out());
    Sh.Result bob = h.exec("runuser", "-u", "bob", "--", "vxmesh", "members");
    assertNotEquals(0, bob.exit(), "a user outside the vxmesh group is refused");
    String msg = bob.err().toLowerCase();
    assertTrue(msg.contains("permission denied") && msg.contains("vxmesh") && msg.contains("group"),
        "the refusal says it is a permission problem and what to do:\n" + bob.err());
  }

  @Test
  @Order(8)
  void badConfigFailsTheStartOnceWithFileKeyAndReasonInTheJournal() throws Exception {
    var h = mesh.host(3);
    h.exec("systemctl", "stop", "vxmesh").check();
    String good = h.readFile(CONFIG);
    String bad = good.replace("pod_cidr = \"" + h.podCidr() + "\"", "pod_cidr = \"10.234.3.5/24\"");
    assertNotEquals(good, bad, "the test could not find pod_cidr in the config");
    h.writeFile(CONFIG, bad, "0640");
    Sh.Result start = h.exec("systemctl", "start", "vxmesh");
    assertNotEquals(0, start.exit(), "start with a bad config must fail");
    assertEquals("78", show(h, "ExecMainStatus"));
    // RestartSec is 2 s: a restart loop would have restarted at least twice by now.
    Thread.sleep(5_000);
    assertEquals("0", show(h, "NRestarts"), "no restart loop on a bad config");
    assertEquals("failed", h.exec("systemctl", "is-active", "vxmesh").out().strip());
    String warnings = journal(h, true);
    assertTrue(warnings.contains(CONFIG + ": network[0].pod_cidr: '10.234.3.5/24' has host bits set"),
        "journalctl -u vxmesh -p warning names file, key and reason:\n" + warnings);
    h.writeFile(CONFIG, good, "0640");
    h.exec("systemctl", "reset-failed", "vxmesh").check();
    h.execIn(Duration.ofSeconds(90), null, "systemctl", "start", "vxmesh").check();
    assertEquals("active", h.exec("systemctl", "is-active", "vxmesh").out().strip());
  }

  @Test
  @Order(9) // any time the mesh is up; independent of journalCarriesPriorities
  void theKeyRotatesByEditingTheKeyFileAndSystemctlReloadWithoutARestart() {
    Map<String, String> pids = new TreeMap<>();
    mesh.hosts().forEach(h -> pids.put(h.name(), show(h, "MainPID")));
    String old = mesh.host(1).readFile(KEY).strip();
    String next = mesh.host(1).exec("vxmesh", "keygen").check().out().strip();

    // A slip first: a malformed file is refused, the key in use is kept, the journal says why.
    var h1 = mesh.host(1);
    h1.writeFile(KEY, "not a key\n", "0600");
    h1.exec("systemctl", "reload", "vxmesh").check();
    SystemdHosts.await(deadline(CONVERGE), h1 + " to log the failed reload at err", () ->
        h1.exec("journalctl", "-u", "vxmesh", "--no-pager", "-o", "cat", "-p", "err").out().contains("keyring reload failed")
            ? Optional.of(true) : Optional.empty());

    // README's three rounds, each on every host.
    for (String keys : List.of(old + "\n" + next, next + "\n" + old, next)) {
      for (var h : mesh.hosts()) {
        h.writeFile(KEY, keys + "\n", "0600");
        h.exec("systemctl", "reload", "vxmesh").check();
      }
      int count = keys.split("\n").length;
      for (var h : mesh.hosts()) {
        SystemdHosts.await(deadline(CONVERGE), h + " to hold " + count + " keys and see both peers sign with the new one", () -> {
          JsonNode k = keyring(h);
          JsonNode first = k.path("keys").path(0);
          boolean ok = k.path("keys").size() == count && first.path("primary").asBoolean()
              && (count == 2 && keys.startsWith(old) || first.path("peers").asInt() == N - 1);
          return ok ? Optional.of(k) : Optional.empty();
        });
      }
    }
    for (var h : mesh.hosts()) {
      assertEquals(Map.of("h1", "alive", "h2", "alive", "h3", "alive"), members(h), h + ": members after the rotation");
      assertEquals("active", h.exec("systemctl", "is-active", "vxmesh").out().strip(), h + ": unit state");
      assertEquals(pids.get(h.name()), show(h, "MainPID"), h + ": reload must not restart the agent");
    }
  }

  private static JsonNode keyring(SystemdHosts.Host h) {
    Sh.Result r = h.exec("vxmesh", "keyring", "list", "-o", "json").check();
    try {
      return JSON.readTree(r.out());
    } catch (IOException e) {
      throw new AssertionError(h + ": vxmesh keyring list -o json is not JSON:\n" + r.out(), e);
    }
  }

  @Test
  @Order(9)
  void journalCarriesPriorities() {
    var h = mesh.host(1);
    String all = journal(h, false);
    String warnings = journal(h, true);
    assertTrue(all.contains("agent ready"), "the full journal holds the INFO lines:\n" + all);
    assertFalse(warnings.contains("agent ready"), "journalctl -p warning must not show INFO lines:\n" + warnings);
    for (String line : warnings.lines().toList()) {
      assertFalse(line.startsWith("INFO") || line.startsWith("DEBUG"), "an INFO/DEBUG line at warning priority: " + line);
    }
  }

  @Test
  @Order(10)
  void stopEndsInactiveNotFailed() {
    for (var h : mesh.hosts()) {
      h.execIn(Duration.ofSeconds(60), null, "systemctl", "stop", "vxmesh").check();
      assertEquals("inactive", h.exec("systemctl", "is-active", "vxmesh").out().strip(), h + ": state after stop");
      assertEquals("success", show(h, "Result"), h + ": result after stop");
      assertFalse(h.exec("systemctl", "--quiet", "is-failed", "vxmesh").ok(), h + ": vxmesh must not be failed");
      // SIGTERM keeps the kernel state (hitless restarts): the VTEP device is still there.
      assertTrue(h.exec("ip", "link", "show", "vxmesh10001").ok(), h + ": the VTEP device stays after a stop");
    }
  }

  @Test
  @Order(11)
  void removeStopsTheAgentAndLeavesTheKernelPurgeRemovesTheConfig() {
    for (var host : mesh.hosts()) {
      host.execIn(Duration.ofSeconds(90), null, "systemctl", "start", "vxmesh").check();
    }
    var h = mesh.host(2);
    String routes = SystemdHosts.await(deadline(CONVERGE), h + " to route both peers' pods", () -> {
      String r = h.exec("ip", "route", "show", "proto", "118").check().out();
      return r.contains(mesh.host(1).podCidr()) && r.contains(mesh.host(3).podCidr()) ? Optional.of(r) : Optional.empty();
    });
    h.execIn(Duration.ofSeconds(90), null, "dpkg", "-r", "vxmesh").check();
    assertNotEquals("active", h.exec("systemctl", "is-active", "vxmesh").out().strip(), "dpkg -r stops the agent");
    assertEquals(routes, h.exec("ip", "route", "show", "proto", "118").check().out(), "dpkg -r leaves the kernel as it was");
    assertTrue(h.exec("ip", "link", "show", "vxmesh10001").ok(), "dpkg -r leaves the VTEP device");
    assertTrue(h.exec("test", "-e", CONFIG).ok() && h.exec("test", "-e", KEY).ok(), "dpkg -r keeps config and key");
    assertFalse(h.exec("test", "-e", "/usr/bin/vxmesh").ok(), "dpkg -r removes the program");
    h.execIn(Duration.ofSeconds(90), null, "dpkg", "--purge", "vxmesh").check();
    assertFalse(h.exec("test", "-e", "/etc/vxmesh").ok(), "dpkg --purge removes /etc/vxmesh");
    assertFalse(h.exec("test", "-e", "/var/lib/vxmesh").ok(), "dpkg --purge removes the state directory");
  }

  /** The shipped config with exactly the edits README asks for: VTEP address, pod CIDR, seed. */
  private void configure(SystemdHosts.Host h) {
    String seed = h.index == 1 ? "[]" : "[\"" + mesh.host(1).underlayIp() + ":7947\"]";
    String config = Operator.edit(shippedConfig, Map.of(
        "vtep_address", "\"" + h.vtepAddress() + "\"",
        "pod_cidr", "\"" + h.podCidr() + "\"",
        "join", seed));
    h.writeFile(CONFIG, config, "0640");
  }

  private static Map<String, String> members(SystemdHosts.Host h) {
    Sh.Result r = h.exec("vxmesh", "members", "-o", "json");
    if (!r.ok()) {
      return Map.of();
    }
    try {
      JsonNode root = JSON.readTree(r.out());
      Map<String, String> status = new TreeMap<>();
      for (JsonNode m : root.path("members")) {
        status.put(m.path("name").asText(), m.path("status").asText());
      }
      return status;
    } catch (IOException e) {
      throw new AssertionError(h + ": vxmesh members -o json is not JSON:\n" + r.out(), e);
    }
  }

  private static String show(SystemdHosts.Host h, String property) {
    return h.exec("systemctl", "show", "-p", property, "--value", "vxmesh").check().out().strip();
  }

  /** {@code journalctl -u vxmesh} of this boot, message text only; {@code -p warning} if asked. */
  static String journal(SystemdHosts.Host h, boolean warningsOnly) {
    List<String> cmd = new ArrayList<>(List.of("journalctl", "-u", "vxmesh", "--no-pager", "-o", "cat"));
    if (warningsOnly) {
      cmd.addAll(List.of("-p", "warning"));
    }
    return h.exec(cmd.toArray(String[]::new)).out();
  }

  private static boolean processRunning(String commandLine) {
    return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().map(c -> c.contains(commandLine)).orElse(false));
  }

  private static long deadline(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  /** The tools this suite runs; .ci/run installs them. */
  static final class Prerequisites {
    private static final Map<String, String> TOOLS = Map.of(
        "systemd-nspawn", "systemd-container", "mmdebstrap", "mmdebstrap", "nsenter", "util-linux",
        "ip", "iproute2", "ping", "iputils-ping");

    static void require() {
      Assumptions.assumeTrue(TestNetns.isRoot(), "SKIPPED: the systemd-hosts suite needs root (namespaces, systemd-nspawn)");
      List<String> missing = new ArrayList<>();
      for (var t : new TreeMap<>(TOOLS).entrySet()) {
        if (!onPath(t.getKey())) {
          missing.add(t.getKey() + " (apt-get install " + t.getValue() + ")");
        }
      }
      String msg = "the systemd-hosts suite needs: " + String.join(", ", missing);
      if (!missing.isEmpty() && "true".equals(System.getenv("CI"))) {
        throw new AssertionError(msg + " -- .ci/run should have installed them");
      }
      Assumptions.assumeTrue(missing.isEmpty(), "SKIPPED: " + msg);
    }

    static boolean onPath(String tool) {
      String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
      for (String dir : path.split(":")) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
          return true;
        }
      }
      return false;
    }
  }
}
