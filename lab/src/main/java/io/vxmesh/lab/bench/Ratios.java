package io.vxmesh.lab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The ratio columns of a table that shows several variants side by side: one column per
 * baseline variant in the run (every variant but {@link TimerSet#VXMESH}), holding
 * baseline / this row's value, so "3.00x" reads "the baseline takes three times as long". A
 * baseline's own cell is "-"; a value not measured (NaN) gives "n/a".
 */
final class Ratios {
  private Ratios() {}

  /** The baselines among {@code run}, in its order. */
  static List<TimerSet> baselines(List<TimerSet> run) {
    return run.stream().filter(t -> t != TimerSet.VXMESH).toList();
  }

  /** Column headers: "{baseline}/this_{what}" per baseline, e.g. "before/this_p99". */
  static List<String> headers(List<TimerSet> run, String what) {
    List<String> out = new ArrayList<>();
    for (TimerSet b : baselines(run)) {
      out.add(b.label() + "/this_" + what);
    }
    return out;
  }

  /** The cells of {@code row} under {@link #headers}: value(baseline) / value(row), "-" in the baseline's own row. */
  static List<String> cells(TimerSet row, List<TimerSet> run, ToDoubleFunction<TimerSet> value) {
    List<String> out = new ArrayList<>();
    for (TimerSet b : baselines(run)) {
      out.add(b == row ? "-" : BenchSupport.ratio(value.applyAsDouble(b), value.applyAsDouble(row)));
    }
    return out;
  }
}
