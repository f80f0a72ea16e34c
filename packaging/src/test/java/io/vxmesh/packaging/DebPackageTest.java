package io.vxmesh.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built .deb (runs after the package phase): its files, modes and owners, its control data
 * and conffiles, the same install as install.sh, and what its maintainer scripts do, run
 * against a throwaway $DPKG_ROOT with logging stand-ins for systemctl and friends.
 */
class DebPackageTest {
  static final Path MODULE = Path.of(System.getProperty("user.dir")).toAbsolutePath();
  static final Path REPO = MODULE.getParent();
  static final Path DEB = Path.of(System.getProperty("vxmesh.deb", "target/vxmesh_0.1.0_all.deb")).toAbsolutePath();
  static final String VERSION = System.getProperty("vxmesh.version", "0.1.0");
  static final Path JAR = Path.of(System.getProperty("vxmesh.jar", "../agent/target/vxmesh.jar")).toAbsolutePath();

  @TempDir Path dir;

  /** Exactly what `dpkg-deb -c` lists: mode, owner, path. */
  static final List<String> CONTENTS = List.of(
      "drwxr-xr-x root/root ./etc/",
      "drwxr-x--- root/root ./etc/vxmesh/",
      "-rw-r----- root/root ./etc/vxmesh/vxmesh.toml",
      "drwxr-xr-x root/root ./usr/",
      "drwxr-xr-x root/root ./usr/bin/",
      "-rwxr-xr-x root/root ./usr/bin/vxmesh",
      "drwxr-xr-x root/root ./usr/lib/",
      "drwxr-xr-x root/root ./usr/lib/systemd/",
      "drwxr-xr-x root/root ./usr/lib/systemd/system/",
      "-rw-r--r-- root/root ./usr/lib/systemd/system/vxmesh.service",
      "drwxr-xr-x root/root ./usr/lib/sysusers.d/",
      "-rw-r--r-- root/root ./usr/lib/sysusers.d/vxmesh.conf",
      "drwxr-xr-x root/root ./usr/lib/tmpfiles.d/",
      "-rw-r--r-- root/root ./usr/lib/tmpfiles.d/vxmesh.conf",
      "drwxr-xr-x root/root ./usr/lib/vxmesh/",
      "-rw-r--r-- root/root ./usr/lib/vxmesh/vxmesh.jar",
      "drwxr-xr-x root/root ./usr/share/",
      "drwxr-xr-x root/root ./usr/share/bash-completion/",
      "drwxr-xr-x root/root ./usr/share/bash-completion/completions/",
      "-rw-r--r-- root/root ./usr/share/bash-completion/completions/vxmesh",
      "drwxr-xr-x root/root ./usr/share/man/",
      "drwxr-xr-x root/root ./usr/share/man/man1/",
      "-rw-r--r-- root/root ./usr/share/man/man1/vxmesh.1.gz",
      "drwxr-xr-x root/root ./usr/share/doc/",
      "drwxr-xr-x root/root ./usr/share/doc/vxmesh/",
      "-rw-r--r-- root/root ./usr/share/doc/vxmesh/README.md",
      "-rw-r--r-- root/root ./usr/share/doc/vxmesh/copyright");

  /** Where each installed file comes from in the repository. */
  static final Map<String, Path> SOURCES = Map.ofEntries(
      Map.entry("etc/vxmesh/vxmesh.toml", REPO.resolve("config/vxmesh.toml")),
      Map.entry("usr/bin/vxmesh", REPO.resolve("packaging/vxmesh")),
      Map.entry("usr/lib/systemd/system/vxmesh.service", REPO.resolve("systemd/vxmesh.service")),
      Map.entry("usr/lib/sysusers.d/vxmesh.conf", REPO.resolve("systemd/vxmesh.sysusers")),
      Map.entry("usr/lib/tmpfiles.d/vxmesh.conf", REPO.resolve("systemd/vxmesh.tmpfiles")),
      Map.entry("usr/lib/vxmesh/vxmesh.jar", JAR),
      // Generated from the picocli model next to the jar by the agent's build (io.vxmesh.cli.ManPage).
      Map.entry("usr/share/bash-completion/completions/vxmesh", JAR.resolveSibling("vxmesh.bash")),
      Map.entry("usr/share/man/man1/vxmesh.1.gz", JAR.resolveSibling("vxmesh.1.gz")),
      Map.entry("usr/share/doc/vxmesh/README.md", REPO.resolve("README.md")),
      Map.entry("usr/share/doc/vxmesh/copyright", REPO.resolve("packaging/copyright")));

  record Run(int code, String out) {}

  /** Runs cmd with exactly env (stdout and stderr together). */
  static Run exec(Map<String, String> env, String... cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished: " + String.join(" ", cmd));
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  static String ok(String... cmd) throws Exception {
    Run r = exec(Map.of("PATH", "/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL", "C"), cmd);
    assertEquals(0, r.code(), String.join(" ", cmd) + ":\n" + r.out());
    return r.out();
  }

  @BeforeAll
  static void theDebExists() {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")),
        "SKIPPED LOUDLY: dpkg-deb is not installed (apt-get install dpkg); the .deb is not checked");
    assertTrue(Files.isRegularFile(DEB), "the package phase built " + DEB);
  }

  @Test
  void contentsModesAndOwnersAreExactly() throws Exception {
    List<String> listed = new ArrayList<>();
    for (String line : ok("dpkg-deb", "-c", DEB.toString()).strip().split("\n")) {
      String[] f = line.trim().split("\\s+");
      assertEquals(6, f.length, "mode owner size date time path: " + line);
      listed.add(f[0] + " " + f[1] + " " + f[5]);
    }
    assertEquals(CONTENTS.stream().sorted().toList(), listed.stream().sorted().toList());
  }

  @Test
  void everyFileIsItsSourceByteForByte() throws Exception {
    Path x = dir.resolve("x");
    ok("dpkg-deb", "-x", DEB.toString(), x.toString());
    for (var e : SOURCES.entrySet()) {
      assertEquals(-1L, Files.mismatch(x.resolve(e.getKey()), e.getValue()), e.getKey() + " is " + e.getValue());
    }
  }

  /** Relative path -> type, mode and content digest of everything below root (root itself excluded). */
  static Map<String, String> tree(Path root) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(p -> !p.equals(root)).toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        String what = Files.isDirectory(p) ? "dir"
            : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        m.put(root.relativize(p).toString(), mode + " " + what);
      }
    }
    return m;
  }

  @Test
  void installShStagesExactlyWhatTheDebInstalls() throws Exception {
    Path deb = dir.resolve("deb");
    ok("dpkg-deb", "-x", DEB.toString(), deb.toString());
    Path staged = dir.resolve("staged");
    Run r = exec(Map.of("PATH", "/usr/bin:/bin", "DESTDIR", staged.toString(), "VXMESH_JAR", JAR.toString()),
        "sh", "-c", "umask 022 && exec sh \"$0\"", REPO.resolve("install.sh").toString());
    assertEquals(0, r.code(), r.out());
    Map<String, String> fromDeb = tree(deb);
    assertEquals(CONTENTS.size(), fromDeb.size(), fromDeb.toString());
    assertEquals(fromDeb, tree(staged), "same paths, modes and bytes");
  }

  /** `dpkg-deb -f`: control fields, continuation lines joined with \n. */
  static Map<String, String> fields() throws Exception {
    Map<String, String> m = new LinkedHashMap<>();
    String last = null;
    for (String line : ok("dpkg-deb", "-f", DEB.toString()).split("\n")) {
      if (line.startsWith(" ")) {
        m.put(last, m.get(last) + "\n" + line);
      } else if (!line.isEmpty()) {
        last = line.substring(0, line.indexOf(':'));
        m.put(last, line.substring(line.indexOf(':') + 1).strip());
      }
    }
    return m;
  }

  @Test
  void controlFieldsAndConffiles() throws Exception {
    Map<String, String> f = fields();
    assertEquals("vxmesh", f.get("Package"));
    assertEquals(VERSION, f.get("Version"), "the project version");
    assertEquals("all", f.get("Architecture"));
    assertEquals("net", f.get("Section"));
    assertEquals("optional", f.get("Priority"));
    assertEquals("openjdk-17-jre-headless | java17-runtime-headless", f.get("Depends"));
    assertEquals("systemd", f.get("Recommends"));
    assertTrue(f.get("Maintainer").matches("[^<]+ <[^@>]+@[^>]+>"), f.get("Maintainer"));
    assertTrue(Integer.parseInt(f.get("Installed-Size")) > 10_000, "KiB, the jar alone is ~18 MB: " + f.get("Installed-Size"));
    String[] description = f.get("Description").split("\n");
    assertTrue(!description[0].isBlank() && description[0].length() <= 80, "synopsis: " + description[0]);
    assertTrue(description.length >= 8, "a long description: " + f.get("Description"));
    assertTrue(f.get("Description").contains("vxmesh keygen"), "says where the key comes from");
    assertEquals(List.of("Package", "Version", "Section", "Priority", "Architecture", "Depends", "Recommends", "Installed-Size",
        "Maintainer", "Description"), List.copyOf(f.keySet()), "no other fields");

    Path ctl = dir.resolve("ctl");
    ok("dpkg-deb", "-e", DEB.toString(), ctl.toString());
    try (Stream<Path> s = Files.list(ctl)) {
      assertEquals(List.of("conffiles", "control", "md5sums", "postinst", "postrm", "prerm"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals("/etc/vxmesh/vxmesh.toml\n", Files.readString(ctl.resolve("conffiles")), "the config is a conffile");
    for (String script : List.of("postinst", "prerm", "postrm")) {
      Path p = ctl.resolve(script);
      assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), script);
      List<String> lines = Files.readAllLines(p);
      assertEquals("#!/bin/sh", lines.get(0), script);
      assertTrue(lines.contains("set -e"), script + " stops on the first error");
      ok("sh", "-n", p.toString());
    }
  }

  // The maintainer scripts, taken from the built .deb, run with $DPKG_ROOT set to a throwaway
  // root and PATH holding only logging stand-ins and a few harmless real tools: a call to
  // anything else (ip, bridge, vxmesh, a systemctl on the real host) is "not found" and fails.

  static final List<String> STUBS = List.of("systemctl", "systemd-sysusers", "systemd-tmpfiles", "groupadd", "chgrp");
  static final List<String> REAL = List.of("cat", "chmod", "grep", "rm");

  Path root;
  Path ctl;

  /** Runs a maintainer script; systemd: systemd is "running" and its tools exist. Returns the stand-ins' log. */
  List<String> script(boolean systemd, StringBuilder out, String name, String... args) throws Exception {
    if (ctl == null) {
      ctl = dir.resolve("ctl");
      ok("dpkg-deb", "-e", DEB.toString(), ctl.toString());
    }
    Path bin = Files.createDirectories(dir.resolve(systemd ? "bin-systemd" : "bin-plain"));
    Path log = dir.resolve("stub.log");
    Files.deleteIfExists(log);
    for (String tool : REAL) {
      if (!Files.exists(bin.resolve(tool))) {
        Files.createSymbolicLink(bin.resolve(tool), Path.of("/bin", tool).toRealPath());
      }
    }
    for (String stub : STUBS) {
      if ((systemd || !stub.startsWith("systemd")) && !Files.exists(bin.resolve(stub))) {
        Files.writeString(bin.resolve(stub), "#!/bin/sh\necho \"" + stub + " $*\" >> \"$STUB_LOG\"\n");
        Files.setPosixFilePermissions(bin.resolve(stub), PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
    Path running = root.resolve("run/systemd/system");
    if (systemd) {
      Files.createDirectories(running);
    } else if (Files.exists(running)) {
      Files.delete(running);
    }
    List<String> cmd = new ArrayList<>(List.of("/bin/sh", ctl.resolve(name).toString()));
    cmd.addAll(List.of(args));
    Run r = exec(Map.of("PATH", bin.toString(), "DPKG_ROOT", root.toString(), "STUB_LOG", log.toString()),
        cmd.toArray(String[]::new));
    assertEquals(0, r.code(), name + " " + String.join(" ", args) + ":\n" + r.out());
    assertFalse(r.out().contains("not found"), "called only the expected commands: " + r.out());
    out.append(r.out());
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  /** A root as dpkg leaves it after unpacking, plus the operator's key. */
  void unpackedRoot() throws IOException {
    root = dir.resolve("root");
    Files.createDirectories(root.resolve("etc/vxmesh"));
    Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
    Files.writeString(root.resolve("etc/vxmesh/vxmesh.toml"), "# config\n");
    Files.writeString(root.resolve("etc/vxmesh/cluster.key"), "a key\n");
    Files.createDirectories(root.resolve("var/lib/vxmesh"));
    Files.writeString(root.resolve("etc/other.conf"), "another package's\n");
  }

  @Test
  void postinstOnFirstInstallMakesGroupAndDirectoryReloadsAndOnlyExplains() throws Exception {
    unpackedRoot();
    Files.delete(root.resolve("etc/vxmesh/cluster.key"));
    StringBuilder out = new StringBuilder();
    // dpkg passes an empty previous version on a first install.
    assertEquals(List.of("systemd-sysusers --root=" + root + " /usr/lib/sysusers.d/vxmesh.conf",
        "systemd-tmpfiles --root=" + root + " --create /usr/lib/tmpfiles.d/vxmesh.conf",
        "systemctl daemon-reload"), script(true, out, "postinst", "configure", ""));
    assertFalse(Files.exists(root.resolve("etc/vxmesh/cluster.key")), "no key made");
    for (String step : List.of("ONE per mesh", "(umask 077; vxmesh keygen > /etc/vxmesh/cluster.key)",
        "copy that file to every other host as /etc/vxmesh/cluster.key", "vtep_address and pod_cidr",
        "systemctl enable --now vxmesh")) {
      assertTrue(out.toString().contains(step), "next steps say " + step + ":\n" + out);
    }
  }

  @Test
  void postinstOnUpgradeSaysNothingNewAndRestartsNothing() throws Exception {
    unpackedRoot();
    StringBuilder out = new StringBuilder();
    assertEquals(List.of("systemd-sysusers --root=" + root + " /usr/lib/sysusers.d/vxmesh.conf",
        "systemd-tmpfiles --root=" + root + " --create /usr/lib/tmpfiles.d/vxmesh.conf",
        "systemctl daemon-reload", "systemctl is-active --quiet vxmesh.service"), script(true, out, "postinst", "configure", "0.0.9"));
    assertFalse(out.toString().contains("keygen"), out.toString());
    assertTrue(out.toString().contains("'systemctl restart vxmesh' is hitless"), out.toString());
  }

  @Test
  void postinstWithoutSystemdUsesGroupaddAndChmod() throws Exception {
    unpackedRoot();
    Path conf = root.resolve("etc/vxmesh");
    Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rwxr-xr-x"));
    StringBuilder out = new StringBuilder();
    assertEquals(List.of("groupadd --prefix " + root + " --system vxmesh", "chgrp vxmesh " + conf),
        script(false, out, "postinst", "configure", ""));
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(conf)));

    Files.writeString(root.resolve("etc/group"), "root:x:0:\nvxmesh:x:998:\n");
    assertEquals(List.of("chgrp vxmesh " + conf), script(false, out, "postinst", "configure", "0.1.0"), "the group exists");
  }

  @Test
  void prermStopsAndDisablesOnRemoveOnly() throws Exception {
    unpackedRoot();
    StringBuilder out = new StringBuilder();
    assertEquals(List.of("systemctl stop vxmesh.service", "systemctl --root=" + root + " disable vxmesh.service"),
        script(true, out, "prerm", "remove"));
    assertEquals(List.of(), script(true, out, "prerm", "upgrade", "0.1.1"), "an upgrade leaves the agent running");
    assertEquals(List.of("systemctl --root=" + root + " disable vxmesh.service"), script(false, out, "prerm", "remove"),
        "no stop without a running systemd");
  }

  @Test
  void postrmKeepsConfigAndKeyOnRemoveAndDeletesThemOnPurge() throws Exception {
    unpackedRoot();
    StringBuilder out = new StringBuilder();
    assertEquals(List.of("systemctl daemon-reload"), script(true, out, "postrm", "remove"));
    assertTrue(Files.exists(root.resolve("etc/vxmesh/cluster.key")), "remove keeps the key");
    assertTrue(Files.exists(root.resolve("var/lib/vxmesh")), "remove keeps the state directory");

    assertEquals(List.of("systemctl daemon-reload"), script(true, out, "postrm", "purge"));
    assertFalse(Files.exists(root.resolve("etc/vxmesh")), "purge deletes config and key");
    assertFalse(Files.exists(root.resolve("var/lib/vxmesh")), "purge deletes the state directory");
    assertEquals("another package's\n", Files.readString(root.resolve("etc/other.conf")), "and nothing else");
    assertTrue(Files.isDirectory(root.resolve("var/lib")));
  }
}
