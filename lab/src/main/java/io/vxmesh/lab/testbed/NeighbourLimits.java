package io.vxmesh.lab.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's neighbour (ARP) table limits, {@code net.ipv4.neigh.default.gc_thresh1/2/3}. The
 * table is one for <em>all</em> network namespaces and these limits exist only in the root
 * namespace (128/512/1,024 by default): a one-machine mesh of N hosts needs about N·(N−1)
 * entries, so past ~20 hosts the kernel starts evicting entries in use and, past gc_thresh3,
 * drops packets; at 50 hosts neither vxmesh nor memberlist converged (FACTS.md). A
 * {@link Testbed} takes a {@link Lease} and states how many hosts it will have; when the current
 * limits are too small for the largest open lease they are raised (never lowered), with one log
 * line giving the old and new values; when the last lease closes they are restored, each only if
 * it still holds the value this class wrote (someone who raised it further meanwhile keeps
 * theirs).
 *
 * <p>One instance per limits directory ({@link #rootNamespace()} for the real one), so several
 * testbeds of one JVM share it. Testbeds of other processes cannot be seen: one of them may
 * restore the limits while another, still open, relies on them. Thread-safe.
 */
public final class NeighbourLimits {
  private static final Logger log = LoggerFactory.getLogger(NeighbourLimits.class);
  /** Where the root namespace's limits are ({@code sysctl net.ipv4.neigh.default.*}). */
  public static final Path ROOT_DIR = Path.of("/proc/sys/net/ipv4/neigh/default");
  /** Entries left for everything else on the machine (the root namespace, other tests) when judging whether gc_thresh2 suffices. */
  static final long SLACK = 64;
  private static final NeighbourLimits ROOT = new NeighbourLimits(ROOT_DIR);

  /** The three limits, in entries. */
  public record Thresholds(long gc1, long gc2, long gc3) {
    @Override
    public String toString() {
      return gc1 + "/" + gc2 + "/" + gc3;
    }
  }

  private final Path dir;
  /** Entries each open lease needs. */
  private final Map<Lease, Long> open = new IdentityHashMap<>();
  /** What was there before the first raise, and what was written last; null while nothing is raised. */
  private Thresholds original;
  private Thresholds written;
  private boolean unreadableLogged;

  /** The limits in {@code dir} (files gc_thresh1, gc_thresh2, gc_thresh3); tests pass a directory of their own. */
  public NeighbourLimits(Path dir) {
    this.dir = dir;
  }

  /** The root namespace's limits, shared by every testbed of this JVM. */
  public static NeighbourLimits rootNamespace() {
    return ROOT;
  }

  /**
   * Neighbour entries a one-machine mesh of {@code hosts} hosts needs: on the underlay each host
   * resolves every other host's address (N·(N−1)); with pods each pod resolves its gateway and
   * each host its pod (2·N). The VTEPs' entries are permanent and exempt from the limits.
   */
  public static long entriesFor(int hosts, boolean pods) {
    if (hosts < 0) {
      throw new IllegalArgumentException("negative host count " + hosts);
    }
    long n = hosts;
    return n * (n - 1) + (pods ? 2 * n : 0);
  }

  /**
   * The limits to set for {@code entries}, or empty when {@code current} suffices (entries plus
   * {@link #SLACK} within gc_thresh2, and within gc_thresh3). Raised: gc_thresh1 to twice the
   * entries rounded up to a power of two (below it nothing is collected), gc_thresh2 four and
   * gc_thresh3 eight times that (for 50 hosts with pods 8,192/32,768/65,536, the values
   * measured to work in FACTS.md); no limit ever below its current value.
   */
  public static Optional<Thresholds> raised(Thresholds current, long entries) {
    if (entries + SLACK <= current.gc2() && entries + SLACK <= current.gc3()) {
      return Optional.empty();
    }
    long t1 = Long.highestOneBit(Math.max(1, 2 * entries - 1)) << 1;
    return Optional.of(new Thresholds(Math.max(current.gc1(), t1), Math.max(current.gc2(), 4 * t1), Math.max(current.gc3(), 8 * t1)));
  }

  /** The limits now, read from the files. */
  public Thresholds read() throws IOException {
    return new Thresholds(readOne(1), readOne(2), readOne(3));
  }

  /** A lease needing nothing yet; {@link Lease#require} states its size, {@link Lease#close} releases it. */
  public synchronized Lease lease() {
    Lease l = new Lease();
    open.put(l, 0L);
    return l;
  }

  /** One user of the limits (a testbed): they stay raised for it until it closes. */
  public final class Lease implements AutoCloseable {
    private Lease() {}

    /** Raises the limits if a mesh of {@code hosts} (with pods or not) needs more than they allow now. */
    public void require(int hosts, boolean pods) {
      long entries = entriesFor(hosts, pods);
      synchronized (NeighbourLimits.this) {
        if (!open.containsKey(this)) {
          throw new IllegalStateException("neighbour limits lease is closed");
        }
        if (entries > open.get(this)) {
          open.put(this, entries);
          ensure(hosts, entries);
        }
      }
    }

    /** Releases this lease; the last one restores the limits. Idempotent. */
    @Override
    public void close() {
      synchronized (NeighbourLimits.this) {
        if (open.remove(this) != null && open.isEmpty()) {
          restore();
        }
      }
    }
  }

  private void ensure(int hosts, long entries) {
    Thresholds now;
    try {
      now = read();
    } catch (IOException e) {
      if (!unreadableLogged) {
        unreadableLogged = true;
        log.warn("testbed cannot read the neighbour table limits dir={} reason={}; a mesh of {} hosts needs ~{} entries and may"
            + " lose packets (not the root network namespace?)", dir, e.getMessage(), hosts, entries);
      }
      return;
    }
    Optional<Thresholds> target = raised(now, entries);
    if (target.isEmpty()) {
      return;
    }
    Thresholds t = target.get();
    try {
      // Raised largest first, so gc_thresh1 <= gc_thresh2 <= gc_thresh3 holds at every step.
      write(3, t.gc3());
      write(2, t.gc2());
      write(1, t.gc1());
    } catch (IOException e) {
      log.warn("testbed cannot raise the neighbour table limits net.ipv4.neigh.default.gc_thresh1/2/3 from {} to {} reason={};"
          + " a mesh of {} hosts needs ~{} entries and may lose packets", now, t, e.getMessage(), hosts, entries);
      restore(now); // whatever was written
      return;
    }
    if (original == null) {
      original = now;
    }
    written = t;
    // WARN: the benchmarks show WARN only, and a change of the machine's settings must be seen.
    log.warn("testbed raised the kernel's neighbour table limits net.ipv4.neigh.default.gc_thresh1/2/3 from {} to {}: a mesh of {}"
        + " hosts needs ~{} entries in the one table all namespaces share; restored when the testbed closes", now, t, hosts, entries);
  }

  private void restore() {
    if (original == null) {
      return;
    }
    Thresholds o = original;
    original = null;
    restore(o);
    written = null;
  }

  /** Writes {@code to} back, smallest first, skipping a limit that no longer holds what was written (someone changed it since). */
  private void restore(Thresholds to) {
    Thresholds w = written;
    StringBuilder kept = new StringBuilder();
    for (int i = 1; i <= 3; i++) {
      long want = i == 1 ? to.gc1() : i == 2 ? to.gc2() : to.gc3();
      try {
        long now = readOne(i);
        long mine = w == null ? now : i == 1 ? w.gc1() : i == 2 ? w.gc2() : w.gc3();
        if (now != mine) {
          kept.append(" gc_thresh").append(i).append('=').append(now);
        } else if (now != want) {
          write(i, want);
        }
      } catch (IOException e) {
        log.warn("testbed cannot restore net.ipv4.neigh.default.gc_thresh{}={} reason={}", i, want, e.getMessage());
      }
    }
    if (w != null) {
      log.warn("testbed restored the kernel's neighbour table limits net.ipv4.neigh.default.gc_thresh1/2/3 to {}{}", to,
          kept.length() == 0 ? "" : "; kept, changed by someone else meanwhile:" + kept);
    }
  }

  /**
   * One limit. Read with one buffer-sized read: a sysctl file reports size 0, and
   * Files.readString then reads one byte and asks again at offset 1, where the kernel answers
   * end-of-file, so "128" would read as "1" (and "raising" it would lower it).
   */
  private long readOne(int i) throws IOException {
    Path f = dir.resolve("gc_thresh" + i);
    String s;
    try (InputStream in = Files.newInputStream(f)) {
      s = new String(in.readNBytes(64), StandardCharsets.US_ASCII).strip();
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IOException(f + " holds '" + s + "', not a number", e);
    }
  }

  private void write(int i, long value) throws IOException {
    Files.writeString(dir.resolve("gc_thresh" + i), value + "\n", StandardCharsets.US_ASCII);
  }
}
