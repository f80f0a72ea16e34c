package io.vxmesh.lab.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The timings of one series (one timer set, one fault, one mesh size) together with how many of
 * its samples were <em>not</em> measured: a timeout, a level never reached, a log line that never
 * appeared, a ping that printed no summary. Unmeasured samples never enter a percentile (a -1 in
 * a sorted list would pass for the fastest sample); they are counted, printed next to the
 * percentiles, and a goal over a series with any of them is not met. Not thread-safe.
 */
final class Samples {
  private final List<Double> measured = new ArrayList<>();
  private int unmeasured;

  /** Adds one sample; NaN or a negative value (the benchmarks' "timed out") counts as not measured. */
  Samples add(double value) {
    if (Double.isNaN(value) || value < 0) {
      unmeasured++;
    } else {
      measured.add(value);
    }
    return this;
  }

  /** Counts {@code n} samples that were due but not measured (e.g. a run aborted before them). */
  Samples addUnmeasured(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative count " + n);
    }
    unmeasured += n;
    return this;
  }

  /** Pads with unmeasured samples up to {@code expected} in all (the repeats a failed run never reached). */
  Samples expect(int expected) {
    return addUnmeasured(Math.max(0, expected - count()));
  }

  List<Double> measured() {
    return List.copyOf(measured);
  }

  int unmeasured() {
    return unmeasured;
  }

  /** Measured plus unmeasured. */
  int count() {
    return measured.size() + unmeasured;
  }

  /** Nearest-rank percentile of the measured samples only; NaN when none was measured. */
  double percentile(double p) {
    return BenchSupport.percentile(measured, p);
  }

  /** True when at least one sample was taken, every one was measured and none exceeds {@code limit}. */
  boolean allWithin(double limit) {
    return within(100, limit);
  }

  /** True when at least one sample was taken, every one was measured and their p-th percentile is at most {@code limit}. */
  boolean within(double p, double limit) {
    return unmeasured == 0 && !measured.isEmpty() && percentile(p) <= limit;
  }

  /** "yes" or "no", for a table's goal_met column; "no" whenever a sample was not measured. */
  String verdict(double limit) {
    return allWithin(limit) ? "yes" : "no";
  }
}
