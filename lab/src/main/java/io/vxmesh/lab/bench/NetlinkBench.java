package io.vxmesh.lab.bench;

import io.vxmesh.datapath.ConvergeResult;
import io.vxmesh.datapath.Datapath;
import io.vxmesh.datapath.DatapathDiff;
import io.vxmesh.datapath.Installed;
import io.vxmesh.datapath.Peer;
import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vxmesh-lab bench netlink --peers N}: installs and removes N peers (neighbour, FDB entry,
 * nexthop, route each) on a VTEP in a namespace it creates and removes, through vxmesh's
 * netlink ({@link Datapath#converge}), through {@code ip -batch}/{@code bridge -batch} with the
 * same entries, and through one {@code ip}/{@code bridge} process per entry (measured on at
 * most {@code --per-process-max} peers, extrapolated beyond). vxmesh and the batch baseline
 * run {@code --rounds} interleaved rounds and the best of each is reported. Prints a table; the last line is
 * {@code netlink peers=N install_s=X remove_s=Y vs_ip_batch=R} with R = iproute2 batch install
 * time / vxmesh install time.
 */
@Command(name = "netlink", description = "Install/remove N peers via vxmesh netlink vs iproute2.")
public final class NetlinkBench implements Callable<Integer> {
  @Option(names = "--peers", defaultValue = "1000", description = "Number of peers (default ${DEFAULT-VALUE}).")
  int peers;

  @Option(names = "--per-process-max", defaultValue = "1000",
      description = "Peers measured with one ip process per entry; more are extrapolated (default ${DEFAULT-VALUE}).")
  int perProcessMax;

  @Option(names = "--rounds", defaultValue = "3",
      description = "Interleaved rounds of vxmesh and iproute2 batch; the best of each is shown (default ${DEFAULT-VALUE}).")
  int rounds;

  static final String DEV = "vxbench0";
  private String ns;
  private LoadAverage load0;

  @Override
  public Integer call() throws Exception {
    if (peers < 1 || peers > 60_000 || rounds < 1 || perProcessMax < 1) {
      System.err.println("vxmesh-lab bench netlink: --peers must be 1..60000, --rounds and --per-process-max at least 1");
      return 2;
    }
    quietDatapathLogs();
    load0 = LoadAverage.now();
    ns = "vxbench" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    Thread hook = new Thread(() -> run(false, "ip", "netns", "del", ns));
    Runtime.getRuntime().addShutdownHook(hook);
    run(true, "ip", "netns", "add", ns);
    try {
      return bench();
    } finally {
      run(false, "ip", "netns", "del", ns);
      Runtime.getRuntime().removeShutdownHook(hook);
    }
  }

  /** The table is the output: per-converge INFO lines would interleave with it. */
  private static void quietDatapathLogs() {
    if (org.slf4j.LoggerFactory.getLogger("io.vxmesh") instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  private int bench() throws IOException {
    VtepSpec spec = new VtepSpec(DEV, 10001, 4899, IpAddresses.parseV4("10.211.55.5"), null,
        MacAddress.parse("c2:6a:9b:e5:39:8d"), IpPrefix.parse("179.16.0.1/12"), 1450);
    List<Peer> all = peers(peers);
    double vxInstall = Double.MAX_VALUE;
    double vxRemove = Double.MAX_VALUE;
    double dump = Double.MAX_VALUE;
    double noop = Double.MAX_VALUE;
    double[] batch = {Double.MAX_VALUE, Double.MAX_VALUE};
    try (Datapath dp = Datapath.openIn(ns)) {
      dp.ensureVtep(spec);
      List<Peer> warm = all.subList(0, Math.min(all.size(), 2000)); // JIT warm-up, untimed
      dp.converge(spec, warm, true);
      dp.converge(spec, List.of(), true);
      for (int round = 0; round < rounds; round++) { // interleaved, so both see the same machine load
        long t = System.nanoTime();
        ConvergeResult in = dp.converge(spec, all, true);
        vxInstall = Math.min(vxInstall, secs(t));
        check(in.ok() && in.added() == 4 * peers, "vxmesh install: " + in);
        t = System.nanoTime();
        Installed st = dp.installed(spec);
        dump = Math.min(dump, secs(t));
        check(st.state().size() == 4 * peers, "dump found " + st.state().size() + " objects");
        t = System.nanoTime();
        ConvergeResult again = dp.converge(spec, all, true);
        noop = Math.min(noop, secs(t));
        check(again.noop(), "re-converge was not a no-op: " + again);
        t = System.nanoTime();
        ConvergeResult out = dp.converge(spec, List.of(), true);
        vxRemove = Math.min(vxRemove, secs(t));
        check(out.ok() && out.removed() == 4 * peers, "vxmesh remove: " + out);

        double[] b = iproute2Batch(all, dp, spec);
        batch[0] = Math.min(batch[0], b[0]);
        batch[1] = Math.min(batch[1], b[1]);
      }
      int m = Math.min(peers, perProcessMax);
      double[] perProcess = iproute2PerEntry(all.subList(0, m));
      check(dp.installed(spec).state().size() == 0, "per-entry remove left objects");
      double scale = (double) peers / m;
      print(vxInstall, vxRemove, dump, noop, batch, perProcess, m, scale);
      return 0;
    }
  }

  private void print(double vxIn, double vxOut, double dump, double noop, double[] batch, double[] proc, int m, double scale) {
    int objects = 4 * peers;
    System.out.printf(Locale.ROOT, "vxmesh-lab bench netlink: peers=%d objects=%d (per peer: neighbour, fdb, nexthop, route) netns=%s"
        + " best of %d rounds%n", peers, objects, ns, rounds);
    System.out.printf(Locale.ROOT, "%-44s %10s %10s %12s %10s%n", "method", "install_s", "remove_s", "objects/s", "vs_vxmesh");
    row("vxmesh netlink (Datapath.converge)", vxIn, vxOut, objects, vxIn);
    row("ip -batch + bridge -batch (3 processes)", batch[0], batch[1], objects, vxIn);
    String label = m == peers ? "one ip/bridge process per entry" : "one ip process per entry (" + m + " measured, x" + fmt(scale) + ")";
    row(label, proc[0] * scale, proc[1] * scale, objects, vxIn);
    System.out.printf(Locale.ROOT, "%-44s %10.3f%n", "vxmesh dump of owned objects", dump);
    System.out.printf(Locale.ROOT, "%-44s %10.3f%n", "vxmesh re-converge, nothing to change", noop);
    String load = LoadAverage.report(load0);
    System.out.printf(Locale.ROOT, "netlink peers=%d install_s=%.3f remove_s=%.3f vs_ip_batch=%.2f%s%n", peers, vxIn, vxOut, batch[0] / vxIn, load);
  }

  private static void row(String name, double in, double out, int objects, double base) {
    System.out.printf(Locale.ROOT, "%-44s %10.3f %10.3f %12.0f %9.1fx%n", name, in, out, objects / in, in / base);
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, d == Math.rint(d) ? "%.0f" : "%.1f", d);
  }

  /** Install and remove through {@code ip -batch} / {@code bridge -batch}; returns seconds. */
  private double[] iproute2Batch(List<Peer> all, Datapath dp, VtepSpec spec) throws IOException {
    double[] ms = Iproute2Batch.installAndRemove(ns, all,
        () -> check(dp.installed(spec).state().size() == 4 * peers, "iproute2 batch install incomplete"),
        () -> check(dp.installed(spec).state().size() == 0, "iproute2 batch remove left objects"));
    return new double[] {ms[0] / 1000, ms[1] / 1000};
  }

  /** Install and remove with one process per entry (the seed's way); returns seconds. */
  private double[] iproute2PerEntry(List<Peer> some) {
    long t = System.nanoTime();
    for (Peer p : some) {
      run(true, cmd("ip", neighAdd(p)));
      run(true, cmd("bridge", fdbAdd(p)));
      run(true, cmd("ip", nhAdd(p)));
      run(true, cmd("ip", routeAdd(p)));
    }
    double in = secs(t);
    t = System.nanoTime();
    for (Peer p : some) {
      run(true, cmd("ip", routeDel(p)));
      run(true, cmd("ip", nhDel(p)));
      run(true, cmd("bridge", fdbDel(p)));
      run(true, cmd("ip", neighDel(p)));
    }
    return new double[] {in, secs(t)};
  }

  private String[] cmd(String tool, String line) {
    List<String> c = new ArrayList<>(List.of(tool, "-n", ns));
    c.addAll(List.of(line.split(" ")));
    return c.toArray(String[]::new);
  }

  private static String id(Peer p) {
    return Integer.toUnsignedString(DatapathDiff.nexthopId(p.vtepIp()));
  }

  static String neighAdd(Peer p) {
    return "neigh replace " + p.vtepIp().getHostAddress() + " lladdr " + p.vtepMac() + " dev " + DEV + " nud permanent";
  }

  static String fdbAdd(Peer p) {
    return "fdb replace " + p.vtepMac() + " dst " + p.hostIp().getHostAddress() + " dev " + DEV + " self permanent";
  }

  static String nhAdd(Peer p) {
    return "nexthop replace id " + id(p) + " via " + p.vtepIp().getHostAddress() + " dev " + DEV + " onlink proto 118";
  }

  static String routeAdd(Peer p) {
    return "route replace " + p.podCidr() + " nhid " + id(p) + " proto 118";
  }

  static String routeDel(Peer p) {
    return "route del " + p.podCidr() + " proto 118";
  }

  static String nhDel(Peer p) {
    return "nexthop del id " + id(p);
  }

  static String fdbDel(Peer p) {
    return "fdb del " + p.vtepMac() + " dev " + DEV + " self";
  }

  static String neighDel(Peer p) {
    return "neigh del " + p.vtepIp().getHostAddress() + " dev " + DEV;
  }

  /** Peer i: host 10.100.x.y, VTEP 179.17.x.y (inside 179.16.0.0/12), MAC 02:00:00:00:x:y, pods 10.x.y.0/24 (x ≥ 128). */
  static List<Peer> peers(int n) {
    List<Peer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int h = i + 2;
      byte hi = (byte) (h >> 8);
      byte lo = (byte) h;
      out.add(new Peer("peer" + i, IpAddresses.v4(new byte[] {10, 100, hi, lo}), new MacAddress(new byte[] {2, 0, 0, 0, hi, lo}),
          IpAddresses.v4(new byte[] {(byte) 179, 17, hi, lo}), IpPrefix.of(new byte[] {10, (byte) (128 + (h >> 8)), lo, 0}, 24)));
    }
    return out;
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("bench check failed: " + what);
    }
  }

  private static void run(boolean checked, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
      }
      if (checked && p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": "
            + new String(err, StandardCharsets.UTF_8).trim());
      }
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(String.join(" ", cmd) + ": interrupted", e);
    }
  }
}
