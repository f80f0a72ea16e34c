package io.vxmesh.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vxmesh.config.ConfigLoader;
import io.vxmesh.gossip.ClusterKey;
import io.vxmesh.testing.KeyFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vxmesh agent --config FILE} with a bad file: one line naming file and key, exit 78. */
class AgentCommandTest {
  @TempDir Path dir;

  String err;

  int agent(Path config) {
    StringWriter e = new StringWriter();
    int code = VxmeshCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(e), "agent", "--config", config.toString());
    err = e.toString();
    return code;
  }

  Path write(String toml) throws IOException {
    Path key = dir.resolve("cluster.key");
    if (!Files.exists(key)) {
      KeyFiles.write(key, ClusterKey.generate().toBase64());
    }
    Path f = dir.resolve("vxmesh.toml");
    Files.writeString(f, toml.replace("KEY", key.toString()));
    return f;
  }

  static final String NET = """
      [[network]]
      vni = 10001
      underlay = "lo"
      mtu = 1450
      vtep_address = "179.17.1.21/24"
      pod_cidr = "10.234.111.0/24"
      """;
  /** Loopback and lo: an address and a device every machine running the test has. */
  static final String GOSSIP = "[gossip]\nadvertise = \"127.0.0.1\"\nkey_file = \"KEY\"\n";

  void expect(String toml, String key, String reasonStart) throws IOException {
    Path f = write(toml);
    assertEquals(AgentCommand.EX_CONFIG, agent(f), err);
    assertEquals(1, err.lines().count(), "one line: " + err);
    String prefix = f + ": " + key + ": " + reasonStart;
    assertEquals(prefix, err.strip().substring(0, Math.min(prefix.length(), err.strip().length())), err);
  }

  @Test
  void unknownKey() throws IOException {
    expect(GOSSIP + NET + "vtep_macc = \"c2:6a:9b:e5:39:8d\"\n", "network[0].vtep_macc", "unknown key");
  }

  @Test
  void missingRequiredKey() throws IOException {
    expect(GOSSIP + NET.replace("vni = 10001\n", ""), "network[0].vni", "required key is missing");
  }

  @Test
  void malformedCidr() throws IOException {
    expect(GOSSIP + NET.replace("10.234.111.0/24", "10.234.111.0/33"), "network[0].pod_cidr", "'10.234.111.0/33' has prefix length");
  }

  @Test
  void malformedMac() throws IOException {
    expect(GOSSIP + NET + "vtep_mac = \"zz:6a:9b:e5:39:8d\"\n", "network[0].vtep_mac", "'zz:6a:9b:e5:39:8d' is not a MAC");
  }

  /** The one line for a key file that is not usable: what is wrong, and how to make and distribute a key. */
  String keyError(Path config, String what) {
    Path key = dir.resolve("cluster.key");
    return config + ": gossip.key_file: " + key + " " + what + "; create ONE key for the whole mesh with '(umask 077; vxmesh keygen > "
        + key + ")' on one host and copy that same file to every host";
  }

  void expectKeyError(String what) throws IOException {
    expectKeyError(write(GOSSIP + NET), what);
  }

  void expectKeyError(Path f, String what) {
    assertEquals(AgentCommand.EX_CONFIG, agent(f), err);
    assertEquals(keyError(f, what), err.strip());
  }

  @Test
  void missingKeyFileSaysHowToMakeAndDistributeOne() throws IOException {
    Path f = write(GOSSIP + NET);
    Files.delete(dir.resolve("cluster.key"));
    expectKeyError(f, "does not exist");
  }

  @Test
  void emptyKeyFile() throws IOException {
    KeyFiles.write(dir.resolve("cluster.key"), "\n");
    expectKeyError("is empty");
  }

  @Test
  void shortKeyFile() throws IOException {
    KeyFiles.write(dir.resolve("cluster.key"), "AAAA");
    expectKeyError("is not a cluster key (3 bytes, want 32)");
  }

  @Test
  void malformedKeyFile() throws IOException {
    KeyFiles.write(dir.resolve("cluster.key"), "this is not base64!\n");
    expectKeyError("is not a cluster key (not base64)");
  }

  @Test
  void duplicateVni() throws IOException {
    expect(GOSSIP + NET + NET.replace("vni = 10001\n", "vni = 10001\ndevice = \"vx2\"\n"), "network[1].vni", "10001 is already used by network[0]");
  }

  @Test
  void duplicateDevice() throws IOException {
    expect(GOSSIP + NET.replace("vni = 10001\n", "vni = 1\ndevice = \"vx\"\n") + NET.replace("vni = 10001\n", "vni = 2\ndevice = \"vx\"\n"),
        "network[1].device", "vx is already used by network[0]");
  }

  @Test
  void badLogFormat() throws IOException {
    expect(GOSSIP + NET + "[log]\nformat = \"xml\"\n", "log.format", "'xml' is not one of text, json");
    expect(GOSSIP + NET + "[log]\nformat = 1\n", "log.format", "");
  }

  @Test
  void syntaxError() throws IOException {
    expect(GOSSIP + "[[network]\n", "line 4", "not valid TOML");
  }

  @Test
  void logLevelFromTheConfigSetsTheRootLogger() {
    org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    try {
      AgentCommand.applyLogLevel("debug");
      assertEquals(true, root.isDebugEnabled());
      AgentCommand.applyLogLevel("warn");
      assertEquals(false, root.isInfoEnabled());
    } finally {
      AgentCommand.applyLogLevel("info");
    }
  }

  @Test
  void missingFile() {
    Path f = dir.resolve("absent.toml");
    assertEquals(78, agent(f));
    assertEquals(f + ": file does not exist", err.strip());
  }

  /** The one line for a key file with a bad owner or mode: what is wrong and the exact fix. */
  String keyModeError(Path config, String what) {
    Path key = dir.resolve("cluster.key");
    return config + ": gossip.key_file: " + key + " " + what + "; anyone who can read the key can join the mesh and steer its"
        + " routes; fix: chown root:vxmesh " + key + " && chmod 0640 " + key;
  }

  @Test
  void worldReadableKeyFileIsRefusedWithTheFix() throws IOException {
    Path f = write(GOSSIP + NET);
    Path key = dir.resolve("cluster.key");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals(AgentCommand.EX_CONFIG, agent(f), err);
    assertEquals(keyModeError(f, "is readable by others (mode 0644)"), err.strip());

    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertEquals(AgentCommand.EX_CONFIG, agent(f), err);
    assertEquals(keyModeError(f, "is readable and writable by others (mode 0666)"), err.strip());

    // What the fix leaves (group read, nothing for others) loads; loading only, as `vxmesh config`
    // does: `vxmesh agent` would go on and start gossip.
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
    assertDoesNotThrow(() -> ConfigLoader.forThisHost().load(f), "mode 0640 is accepted");
  }

  @Test
  void keyFileOwnedBySomeoneElseIsRefused() throws IOException {
    Assumptions.assumeTrue(isRoot(), "SKIPPED: needs root to give the key file to uid 65534");
    Path f = write(GOSSIP + NET);
    Path key = dir.resolve("cluster.key");
    Files.setAttribute(key, "unix:uid", 65534);
    assertEquals(AgentCommand.EX_CONFIG, agent(f), err);
    assertEquals(keyModeError(f, "is owned by uid 65534, not root"), err.strip());
  }

  @Test
  void oversizedKeyFileIsRefusedUnread() throws IOException {
    Path f = write(GOSSIP + NET);
    try (RandomAccessFile r = new RandomAccessFile(dir.resolve("cluster.key").toFile(), "rw")) {
      r.setLength(64L << 20); // sparse: costs no disk
    }
    assertEquals(AgentCommand.EX_CONFIG, agent(f), err);
    assertEquals(keyError(f, "is larger than 4 KiB, not a cluster key"), err.strip());
  }

  /**
   * Issue 12: a 60 MB config made the agent exit 3 (out of heap) and systemd restart it in a
   * loop. Now it is refused after a bounded read of 1 MiB + 1 byte, exit 78.
   */
  @Test
  void configLargerThanOneMebibyteIsRefusedWith78() throws IOException {
    Path f = write(GOSSIP + NET);
    try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
      r.setLength(60L << 20);
    }
    assertEquals(AgentCommand.EX_CONFIG, agent(f), err);
    assertEquals(f + ": file is larger than 1 MiB (the shipped config is ~7 KB); is this the right file?", err.strip());
  }

  static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException e) {
      return false;
    }
  }
}
