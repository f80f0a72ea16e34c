package io.vxmesh.lab.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The Debian bookworm root file system every systemd host boots from: made once by
 * {@code mmdebstrap} and cached in a directory named after the hash of everything that shapes it
 * (suite, variant, package list, mirror), so a changed package list builds a new one and an
 * unchanged one is reused across runs. Hosts boot it with {@code --volatile=overlay}: their
 * writes go to a tmpfs, the cached tree is never modified.
 *
 * <p>The tree holds what a real small host has plus the Java runtime that the vxmesh package
 * depends on, so {@code dpkg -i vxmesh_*.deb} needs no network inside the hosts.
 */
final class Rootfs {
  static final String SUITE = "bookworm";
  static final String VARIANT = "minbase";
  /** What the hosts need: systemd as PID 1, the package's Depends, and the tools tests use. */
  static final List<String> PACKAGES = List.of(
      "systemd", "systemd-sysv", "dbus", "iproute2", "iputils-ping", "procps", "openjdk-17-jre-headless");
  /** Units that only burn CPU or wait for a console in a test host. */
  private static final List<String> MASKED = List.of(
      "apt-daily.timer", "apt-daily-upgrade.timer", "dpkg-db-backup.timer", "e2scrub_all.timer",
      "e2scrub_reap.service", "fstrim.timer", "getty@tty1.service", "console-getty.service",
      "systemd-networkd-wait-online.service");
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);

  private Rootfs() {}

  /** The cache directory: {@code $VXMESH_LAB_CACHE}, default {@code /var/cache/vxmesh-lab}. */
  static Path cacheDir() {
    String env = System.getenv("VXMESH_LAB_CACHE");
    return Path.of(env != null && !env.isBlank() ? env : "/var/cache/vxmesh-lab");
  }

  /** The Debian mirror: {@code $VXMESH_LAB_MIRROR}, default deb.debian.org. */
  static String mirror() {
    String env = System.getenv("VXMESH_LAB_MIRROR");
    return env != null && !env.isBlank() ? env : "http://deb.debian.org/debian";
  }

  /** Cache key: the first 16 hex digits of SHA-256 over what shapes the tree. */
  static String key(String suite, String variant, List<String> packages, List<String> masked, String mirror) {
    String shape = suite + "\n" + variant + "\n" + String.join(",", packages.stream().sorted().toList()) + "\n"
        + String.join(",", masked.stream().sorted().toList()) + "\n" + mirror;
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(shape.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The cached tree, built first if absent. Returns its path. */
  static Path ensure() {
    String mirror = mirror();
    Path dir = cacheDir().resolve("rootfs-" + SUITE + "-" + key(SUITE, VARIANT, PACKAGES, MASKED, mirror));
    if (Files.isExecutable(dir.resolve("usr/lib/systemd/systemd"))) {
      return dir;
    }
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
    long t0 = System.nanoTime();
    try {
      Files.createDirectories(dir.getParent());
      Sh.run(Duration.ofMinutes(2), List.of("rm", "-rf", tmp.toString())).check();
      List<String> cmd = new ArrayList<>(List.of("mmdebstrap", "--mode=root", "--variant=" + VARIANT,
          "--include=" + String.join(",", PACKAGES), SUITE, tmp.toString(), mirror));
      Sh.run(BUILD_TIMEOUT, cmd).check();
      // No /etc/hostname: the machine name becomes the host name.
      Files.deleteIfExists(tmp.resolve("etc/hostname"));
      List<String> mask = new ArrayList<>(List.of("systemctl", "--root=" + tmp, "mask"));
      mask.addAll(MASKED);
      Sh.run(Duration.ofMinutes(1), mask).check();
      Files.move(tmp, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the host rootfs in " + dir + ": " + e.getMessage(), e);
    }
    System.out.printf("rootfs: built %s in %.1f s%n", dir, (System.nanoTime() - t0) / 1e9);
    return dir;
  }
}
