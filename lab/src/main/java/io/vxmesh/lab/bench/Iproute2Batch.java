package io.vxmesh.lab.bench;

import io.vxmesh.datapath.Peer;
import io.vxmesh.lab.testbed.Exec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The iproute2 baseline of the netlink and scale benchmarks: the same entries via batch files. */
final class Iproute2Batch {
  private Iproute2Batch() {}

  /**
   * Installs {@code peers} (neighbour, FDB entry, nexthop, route each) through {@code ip -batch} /
   * {@code bridge -batch} in {@code ns}, runs {@code afterInstall}, removes them again, runs
   * {@code afterRemove}; returns {install_ms, remove_ms}. The checks are outside the timing.
   */
  static double[] installAndRemove(String ns, List<Peer> peers, Runnable afterInstall, Runnable afterRemove) throws IOException {
    Path dir = Files.createTempDirectory("vxbench");
    try {
      StringBuilder neigh = new StringBuilder();
      StringBuilder fdb = new StringBuilder();
      StringBuilder routes = new StringBuilder();
      StringBuilder delRoutes = new StringBuilder();
      StringBuilder delFdb = new StringBuilder();
      StringBuilder delNeigh = new StringBuilder();
      for (Peer p : peers) {
        neigh.append(NetlinkBench.neighAdd(p)).append('\n');
        fdb.append(NetlinkBench.fdbAdd(p)).append('\n');
        routes.append(NetlinkBench.nhAdd(p)).append('\n').append(NetlinkBench.routeAdd(p)).append('\n');
        delRoutes.append(NetlinkBench.routeDel(p)).append('\n').append(NetlinkBench.nhDel(p)).append('\n');
        delFdb.append(NetlinkBench.fdbDel(p)).append('\n');
        delNeigh.append(NetlinkBench.neighDel(p)).append('\n');
      }
      String[] tools = {"ip", "bridge", "ip", "ip", "bridge", "ip"};
      StringBuilder[] text = {neigh, fdb, routes, delRoutes, delFdb, delNeigh};
      Path[] files = new Path[text.length];
      for (int i = 0; i < text.length; i++) {
        files[i] = Files.writeString(dir.resolve("b" + i), text[i], StandardCharsets.UTF_8);
      }
      double[] out = new double[2];
      for (int half = 0; half < 2; half++) {
        long t0 = System.nanoTime();
        for (int i = half * 3; i < half * 3 + 3; i++) {
          Exec.run(Duration.ofSeconds(300), List.of(tools[i], "-n", ns, "-batch", files[i].toString())).orThrow();
        }
        out[half] = BenchSupport.msSince(t0);
        (half == 0 ? afterInstall : afterRemove).run();
      }
      return out;
    } finally {
      try (var s = Files.list(dir)) {
        for (Path p : s.toList()) {
          Files.delete(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Files.deleteIfExists(dir);
    }
  }

}
