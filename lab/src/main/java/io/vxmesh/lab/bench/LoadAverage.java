package io.vxmesh.lab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The 1/5/15-minute load averages of {@code /proc/loadavg}. Every benchmark takes one when it
 * starts and prints it next to one taken at its end, so a figure from a busy box is seen as such.
 */
record LoadAverage(double one, double five, double fifteen) {
  static LoadAverage now() {
    try {
      return parse(Files.readString(Path.of("/proc/loadavg")));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/loadavg: " + e.getMessage(), e);
    }
  }

  /** Parses {@code /proc/loadavg} ("0.61 1.02 1.20 2/345 6789"). */
  static LoadAverage parse(String procLoadavg) {
    String[] f = procLoadavg.strip().split("\\s+");
    if (f.length < 3) {
      throw new IllegalArgumentException("not /proc/loadavg: '" + procLoadavg.strip() + "'");
    }
    return new LoadAverage(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
  }

  /**
   * Prints "load average (1/5/15 min): start a b c, end d e f" and returns the summary line's
   * part " load1_start=a load1_end=d".
   */
  static String report(LoadAverage start) {
    LoadAverage end = now();
    System.out.printf(Locale.ROOT, "load average (1/5/15 min): start %s, end %s%n", start, end);
    return String.format(Locale.ROOT, " load1_start=%.2f load1_end=%.2f", start.one(), end.one());
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%.2f %.2f %.2f", one, five, fifteen);
  }
}
