package io.vxmesh.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vxmesh.gossip.ClusterKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unit passes systemd-analyze verify; install.sh stages a complete, working install. */
class PackagingTest {
  @TempDir Path dir;

  static final Path ROOT = repoRoot();

  static Path repoRoot() {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("install.sh"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new AssertionError("install.sh not found above " + System.getProperty("user.dir"));
    }
    return p;
  }

  record Result(int code, String out, String err) {}

  static Result run(Map<String, String> env, String... cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Path out = Files.createTempFile("vxmesh-out", ".txt");
    Path err = Files.createTempFile("vxmesh-err", ".txt");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + String.join(" ", cmd));
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  static void assumeSystemdAnalyze() {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")) || Files.isExecutable(Path.of("/bin/systemd-analyze")),
        "SKIPPED LOUDLY: systemd-analyze is not installed (apt-get install systemd)");
  }

  /** verify insists ExecStart's binary exists: point it at a copy of the launcher in the temp dir. */
  Result verify(Path unit) throws Exception {
    Path bin = dir.resolve("bin/vxmesh");
    Files.createDirectories(bin.getParent());
    Files.copy(ROOT.resolve("packaging/vxmesh"), bin, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path units = Files.createDirectories(dir.resolve("units"));
    Path copy = units.resolve("vxmesh.service");
    Files.writeString(copy, Files.readString(unit).replace("ExecStart=/usr/bin/vxmesh ", "ExecStart=" + bin + " "));
    return run(Map.of(), "systemd-analyze", "verify", copy.toString());
  }

  @Test
  void unitHasTheContractedDirectivesAndVerifiesCleanly() throws Exception {
    String unit = Files.readString(ROOT.resolve("systemd/vxmesh.service"));
    List<String> lines = unit.lines().map(String::strip).toList();
    for (String d : List.of("Type=notify", "ExecStart=/usr/bin/vxmesh agent --config /etc/vxmesh/vxmesh.toml",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "Restart=on-failure", "RestartPreventExitStatus=78", "SuccessExitStatus=143", "RuntimeDirectory=vxmesh", "StateDirectory=vxmesh",
        "After=network-online.target", "Wants=network-online.target", "CapabilityBoundingSet=CAP_NET_ADMIN",
        "AmbientCapabilities=CAP_NET_ADMIN", "ProtectSystem=strict", "ProtectHome=yes", "NoNewPrivileges=yes", "PrivateTmp=yes",
        "RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6", "WatchdogSec=30s")) {
      assertTrue(lines.contains(d), "unit has " + d);
    }
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("MemoryDenyWriteExecute")), "the JIT needs W+X memory");

    assumeSystemdAnalyze();
    Result ok = verify(ROOT.resolve("systemd/vxmesh.service"));
    assertEquals(0, ok.code(), ok.err());
    assertEquals("", ok.err().strip(), "no warnings");

    Path broken = dir.resolve("broken.service");
    Files.writeString(broken, unit.replace("Restart=on-failure", "Restart=on-failure\nRestartt=always"));
    Result bad = verify(broken);
    assertTrue(bad.err().contains("Restartt"), "verify does report problems: " + bad);
  }

  @Test
  void installIntoDestdirIsCompleteMakesNoKeyAndKeepsExistingConfigAndKey() throws Exception {
    String jar = System.getProperty("vxmesh.jar", "target/vxmesh.jar");
    assertTrue(Files.isRegularFile(Path.of(jar)), "built jar at " + jar);
    Path dest = dir.resolve("root");
    Map<String, String> env = Map.of("DESTDIR", dest.toString(), "VXMESH_JAR", jar);
    Result first = run(env, "sh", ROOT.resolve("install.sh").toString());
    assertEquals(0, first.code(), first.out() + first.err());

    Path key = dest.resolve("etc/vxmesh/cluster.key");
    Path conf = dest.resolve("etc/vxmesh/vxmesh.toml");
    Path launcher = dest.resolve("usr/bin/vxmesh");
    Path unit = dest.resolve("usr/lib/systemd/system/vxmesh.service");
    for (Path p : List.of(conf, launcher, unit, dest.resolve("usr/lib/vxmesh/vxmesh.jar"),
        dest.resolve("usr/lib/sysusers.d/vxmesh.conf"), dest.resolve("usr/lib/tmpfiles.d/vxmesh.conf"),
        dest.resolve("usr/share/doc/vxmesh/README.md"), dest.resolve("usr/share/doc/vxmesh/copyright"))) {
      assertTrue(Files.isRegularFile(p), "installed " + p);
    }
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(launcher)));
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(conf.getParent())));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(conf)));
    // One key per mesh: install.sh never makes one (a key per host splits the mesh), it says how.
    assertFalse(Files.exists(key), "no cluster key generated");
    assertTrue(first.out().contains("(umask 077; vxmesh keygen > /etc/vxmesh/cluster.key)")
        && first.out().contains("copy that file to every other host"), first.out());
    assertEquals(Files.readString(ROOT.resolve("config/vxmesh.toml")), Files.readString(conf));
    assertEquals(Files.readString(ROOT.resolve("systemd/vxmesh.service")), Files.readString(unit));

    // The installed launcher runs the installed jar.
    Result version = run(Map.of("VXMESH_JAR", dest.resolve("usr/lib/vxmesh/vxmesh.jar").toString()), launcher.toString(), "version");
    assertEquals(0, version.code(), version.err());
    assertTrue(version.out().startsWith("vxmesh "), version.out());

    // A second install never overwrites the operator's config or the mesh's key.
    Files.writeString(conf, "# edited by the operator\n");
    ClusterKey meshKey = ClusterKey.generate();
    Files.writeString(key, meshKey.toBase64() + "\n");
    Result second = run(env, "sh", ROOT.resolve("install.sh").toString());
    assertEquals(0, second.code(), second.err());
    assertEquals("# edited by the operator\n", Files.readString(conf));
    assertEquals(meshKey, ClusterKey.read(key));
    assertTrue(second.out().contains("keeping existing " + conf) && second.out().contains("keeping existing " + key), second.out());
    assertFalse(second.out().contains("vxmesh keygen"), "no key advice when the key is there: " + second.out());
  }

  @Test
  void launcherSaysWhenTheJarIsMissing() throws Exception {
    Result r = run(Map.of("VXMESH_JAR", dir.resolve("absent.jar").toString()), ROOT.resolve("packaging/vxmesh").toString(), "members");
    assertEquals(1, r.code());
    assertEquals("vxmesh: cannot read " + dir.resolve("absent.jar") + " (reinstall, or set VXMESH_JAR)", r.err().strip());
  }
}
