package io.vxmesh.lab.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.lab.testbed.NeighbourLimits.Thresholds;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The neighbour table sizing as pure logic, the raise/restore bookkeeping on a directory of
 * files shaped like /proc/sys/net/ipv4/neigh/default, and (root only) a testbed sized for a
 * large mesh raising and restoring the real root-namespace limits.
 */
class NeighbourLimitsTest {
  private static final Thresholds KERNEL_DEFAULTS = new Thresholds(128, 512, 1024);

  @Test
  void aMeshNeedsAnEntryPerOrderedHostPairPlusTwoPerPod() {
    assertEquals(0, NeighbourLimits.entriesFor(1, false));
    assertEquals(20 * 19, NeighbourLimits.entriesFor(20, false));
    assertEquals(20 * 19 + 40, NeighbourLimits.entriesFor(20, true));
    assertEquals(100 * 99 + 200, NeighbourLimits.entriesFor(100, true));
    assertThrows(IllegalArgumentException.class, () -> NeighbourLimits.entriesFor(-1, true));
  }

  @Test
  void theKernelDefaultsSufficeUpToTwentyHostsWithPodsAndAreRaisedBeyond() {
    assertEquals(Optional.empty(), NeighbourLimits.raised(KERNEL_DEFAULTS, NeighbourLimits.entriesFor(10, true)));
    assertEquals(Optional.empty(), NeighbourLimits.raised(KERNEL_DEFAULTS, NeighbourLimits.entriesFor(20, true)));
    assertTrue(NeighbourLimits.raised(KERNEL_DEFAULTS, NeighbourLimits.entriesFor(21, true)).isPresent());
    assertTrue(NeighbourLimits.raised(KERNEL_DEFAULTS, NeighbourLimits.entriesFor(30, false)).isPresent());
  }

  @Test
  void fiftyHostsGetTheLimitsMeasuredToWorkAndAHundredMore() {
    // FACTS.md: 50 members in namespaces converged with 8,192/32,768/65,536.
    assertEquals(Optional.of(new Thresholds(8192, 32768, 65536)),
        NeighbourLimits.raised(KERNEL_DEFAULTS, NeighbourLimits.entriesFor(50, true)));
    Thresholds hundred = NeighbourLimits.raised(KERNEL_DEFAULTS, NeighbourLimits.entriesFor(100, true)).orElseThrow();
    assertTrue(hundred.gc1() >= 2 * NeighbourLimits.entriesFor(100, true), hundred.toString());
    assertTrue(hundred.gc1() <= hundred.gc2() && hundred.gc2() <= hundred.gc3(), hundred.toString());
  }

  @Test
  void noLimitIsEverLowered() {
    Thresholds big = new Thresholds(100_000, 600, 1_000_000);
    Thresholds t = NeighbourLimits.raised(big, NeighbourLimits.entriesFor(50, true)).orElseThrow();
    assertEquals(new Thresholds(100_000, 32768, 1_000_000), t);
    // gc_thresh2 large enough, gc_thresh3 not: still raised, and only upwards.
    Thresholds lowHard = new Thresholds(128, 100_000, 1024);
    Thresholds u = NeighbourLimits.raised(lowHard, NeighbourLimits.entriesFor(50, true)).orElseThrow();
    assertEquals(new Thresholds(8192, 100_000, 65536), u);
  }

  @Test
  void leasesRaiseForTheLargestAndTheLastOneRestores(@TempDir Path dir) throws IOException {
    write(dir, KERNEL_DEFAULTS);
    NeighbourLimits limits = new NeighbourLimits(dir);
    NeighbourLimits.Lease small = limits.lease();
    small.require(5, true);
    assertEquals(KERNEL_DEFAULTS, limits.read(), "5 hosts fit the defaults: nothing written");
    NeighbourLimits.Lease big = limits.lease();
    big.require(50, true);
    assertEquals(new Thresholds(8192, 32768, 65536), limits.read());
    big.require(30, true); // smaller than what it already holds: nothing changes
    assertEquals(new Thresholds(8192, 32768, 65536), limits.read());
    big.close();
    assertEquals(new Thresholds(8192, 32768, 65536), limits.read(), "another lease is still open");
    small.close();
    assertEquals(KERNEL_DEFAULTS, limits.read());
    small.close(); // idempotent
    assertThrows(IllegalStateException.class, () -> small.require(50, true));
  }

  @Test
  void aLimitSomeoneElseRaisedMeanwhileIsKept(@TempDir Path dir) throws IOException {
    write(dir, KERNEL_DEFAULTS);
    NeighbourLimits limits = new NeighbourLimits(dir);
    try (NeighbourLimits.Lease l = limits.lease()) {
      l.require(50, true);
      Files.writeString(dir.resolve("gc_thresh3"), "200000\n");
    }
    assertEquals(new Thresholds(128, 512, 200000), limits.read());
  }

  @Test
  void unreadableLimitsLeaveTheTestbedRunning(@TempDir Path dir) {
    NeighbourLimits limits = new NeighbourLimits(dir.resolve("absent"));
    try (NeighbourLimits.Lease l = limits.lease()) {
      l.require(50, true); // logs a warning, throws nothing
    }
    assertThrows(IOException.class, limits::read);
  }

  /** Reading /proc/sys needs no root; its files report size 0, which once made "128" read as "1". */
  @Test
  void theRootNamespaceLimitsReadAsSysctlPrintsThem() throws IOException {
    Assumptions.assumeTrue(Files.isReadable(NeighbourLimits.ROOT_DIR.resolve("gc_thresh1")),
        "SKIPPED: " + NeighbourLimits.ROOT_DIR + " is not readable here (not the root network namespace?)");
    assertEquals(readProc(), NeighbourLimits.rootNamespace().read());
  }

  /**
   * Root only: a testbed that expects a mesh too large for the machine's current limits raises
   * them in /proc/sys while open and restores them when it closes. Only two hosts are built:
   * {@link Testbed#expectHosts} is the seam create() and addHost() size the limits through.
   */
  @KernelTest
  @Test
  void aTestbedSizedForALargeMeshRaisesTheRootLimitsAndRestoresThem() throws IOException {
    TestNetns.assumeRoot();
    NeighbourLimits root = NeighbourLimits.rootNamespace();
    Thresholds before = readProc();
    assertEquals(before, root.read());
    int hosts = 40;
    while (NeighbourLimits.raised(before, NeighbourLimits.entriesFor(hosts, true)).isEmpty() && hosts < HostSpec.MAX_HOSTS) {
      hosts++;
    }
    int n = hosts;
    Assumptions.assumeTrue(NeighbourLimits.raised(before, NeighbourLimits.entriesFor(n, true)).isPresent(),
        "SKIPPED: this machine's neighbour limits " + before + " already fit " + HostSpec.MAX_HOSTS + " hosts; nothing to raise");
    Thresholds expected = NeighbourLimits.raised(before, NeighbourLimits.entriesFor(n, true)).orElseThrow();
    try (Testbed tb = Testbed.create(2, true)) {
      assertEquals(before, readProc(), "two hosts need no raise");
      tb.expectHosts(n);
      assertEquals(expected, readProc());
    }
    assertEquals(before, readProc(), "restored when the testbed closed");
  }

  /** The limits as {@code sysctl -n} prints them, read without the class under test. */
  private static Thresholds readProc() {
    long[] v = new long[3];
    for (int i = 0; i < 3; i++) {
      ExecResult r = Exec.run(Duration.ofSeconds(10), List.of("sysctl", "-n", "net.ipv4.neigh.default.gc_thresh" + (i + 1))).orThrow();
      v[i] = Long.parseLong(r.stdout().strip());
    }
    return new Thresholds(v[0], v[1], v[2]);
  }

  private static void write(Path dir, Thresholds t) throws IOException {
    Files.writeString(dir.resolve("gc_thresh1"), t.gc1() + "\n");
    Files.writeString(dir.resolve("gc_thresh2"), t.gc2() + "\n");
    Files.writeString(dir.resolve("gc_thresh3"), t.gc3() + "\n");
  }
}
