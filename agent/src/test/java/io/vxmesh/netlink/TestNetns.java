package io.vxmesh.netlink;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A network namespace owned by one test, named with a per-run tag; deleted on close and, as a
 * safety net, by a JVM shutdown hook. Runs iproute2 inside it for setup and for assertions.
 */
public final class TestNetns implements AutoCloseable {
  private final String name;
  private final Thread hook;

  private TestNetns(String name) {
    this.name = name;
    this.hook = new Thread(() -> run(List.of("ip", "netns", "del", name), false));
  }

  /** Skips the calling test loudly unless we are root (kernel tests need CAP_NET_ADMIN). */
  public static void assumeRoot() {
    Assumptions.assumeTrue(isRoot(), "SKIPPED: kernel test needs root (network namespaces); run as root or in CI");
  }

  public static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0");
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  /** A random 4-hex-digit tag for names created by one run. */
  public static String tag() {
    return HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
  }

  /** Creates namespace {@code prefix + tag} (prefix ≤ 10 chars keeps derived ifnames short). */
  public static TestNetns create(String prefix) {
    TestNetns ns = new TestNetns(prefix + tag());
    Runtime.getRuntime().addShutdownHook(ns.hook);
    run(List.of("ip", "netns", "add", ns.name), true);
    ns.ip("link", "set", "lo", "up");
    return ns;
  }

  public String name() {
    return name;
  }

  /** {@code ip -n NS ARGS}; returns stdout; fails the test on a non-zero exit. */
  public String ip(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
    cmd.addAll(List.of(args));
    return run(cmd, true);
  }

  /** {@code bridge -n NS ARGS}. */
  public String bridge(String... args) {
    List<String> cmd = new ArrayList<>(List.of("bridge", "-n", name));
    cmd.addAll(List.of(args));
    return run(cmd, true);
  }

  /** {@code ip netns exec NS nft ARGS}; returns stdout; fails the test on a non-zero exit. */
  public String nft(String... args) {
    return nftWithInput(null, args);
  }

  /** {@code ip netns exec NS nft ARGS} reading {@code stdin} (e.g. {@code -f -}); fails the test on a non-zero exit. */
  public String nftWithInput(String stdin, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name, "nft"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
        fail(String.join(" ", cmd) + " failed: " + out);
      }
      return out;
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(String.join(" ", cmd), e);
    }
  }

  /** Skips the calling test loudly unless {@code nft} (Debian package nftables) is installed. */
  public static void assumeNft() {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")) || Files.isExecutable(Path.of("/usr/bin/nft")),
        "SKIPPED: nft (Debian package nftables) is needed to read nftables back");
  }

  /** {@code ip netns exec NS ARGS}; returns the exit code. */
  public int exec(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  static String run(List<String> cmd, boolean check) {
    try {
      Process p = new ProcessBuilder(cmd).start();
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(String.join(" ", cmd) + ": timed out");
      }
      if (check && p.exitValue() != 0) {
        fail(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + new String(err, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(String.join(" ", cmd), e);
    }
  }

  /** Polls {@code cond} until it holds or {@code millis} pass; fails the test with {@code what}. */
  public static void await(long millis, java.util.function.BooleanSupplier cond, String what) {
    io.vxmesh.testing.Await.until(java.time.Duration.ofMillis(millis), what, cond);
  }

  @Override
  public void close() {
    run(List.of("ip", "netns", "del", name), false);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook deletes it
    }
  }
}
