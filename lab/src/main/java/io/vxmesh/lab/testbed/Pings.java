package io.vxmesh.lab.testbed;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Pings inside one {@link Testbed}: any namespace to any address ({@link #ping}, also on a pool
 * thread with {@link #pingAsync}), the usual pairs (pod to pod, host to pod, host to host on the
 * underlay), and the pod × pod matrix. Every ping goes through {@link PingResult#of}, so a ping
 * that did not run throws instead of passing as "unreachable".
 *
 * <p>Owns the pool that runs asynchronous pings (daemon threads named {@code testbed-<prefix>});
 * {@link Testbed#close()} shuts it down. Thread-safe.
 */
public final class Pings {
  /** Packets per check ping: two, so one lost packet is visible without slowing tests down. */
  public static final int PINGS = 2;

  private final Topology topology;
  private final Runnable requireOpen;
  private final ExecutorService executor;

  Pings(Topology topology, String prefix, Runnable requireOpen) {
    this.topology = topology;
    this.requireOpen = requireOpen;
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "testbed-" + prefix);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * {@code ping -n -c count -i interval -w deadline target} inside {@code ns}. Intervals below
   * 200 ms are fine (we are root). Throws when ping did not run (see {@link PingResult#of}).
   */
  public PingResult ping(String ns, Inet4Address target, int count, Duration interval, Duration deadline) {
    String ip = target.getHostAddress();
    ExecResult r = topology.exec(ns, deadline.plusSeconds(5), "ping", "-n", "-c", Integer.toString(count),
        "-i", seconds(interval), "-w", Long.toString(Math.max(1, (deadline.toMillis() + 999) / 1000)), ip);
    return PingResult.of(ip, r);
  }

  /** The same ping on a pool thread, e.g. 100/s for the whole of an agent restart. */
  public CompletableFuture<PingResult> pingAsync(String ns, Inet4Address target, int count, Duration interval, Duration deadline) {
    requireOpen.run();
    return CompletableFuture.supplyAsync(() -> ping(ns, target, count, interval, deadline), executor);
  }

  /** Pod of {@code from} pings the pod of {@code to}: {@value #PINGS} packets, 100 ms apart, within 5 s. */
  public PingResult podToPod(Host from, Host to) {
    return ping(from.requirePod().ns(), to.spec().podIp(), PINGS, Duration.ofMillis(100), Duration.ofSeconds(5));
  }

  /** Host {@code from} (its namespace) pings the pod of {@code to}: {@value #PINGS} packets within 5 s. */
  public PingResult hostToPod(Host from, Host to) {
    return ping(from.ns(), to.spec().podIp(), PINGS, Duration.ofMillis(100), Duration.ofSeconds(5));
  }

  /** Host {@code from} pings host {@code to} on the underlay: {@value #PINGS} packets within 5 s. */
  public PingResult underlay(Host from, Host to) {
    return ping(from.ns(), to.spec().underlayIp(), PINGS, Duration.ofMillis(100), Duration.ofSeconds(5));
  }

  /** One cell of {@link #matrix}: the pod of {@code from} pinged the pod of {@code to}. */
  public record PodPing(Host from, Host to, PingResult result) {}

  /**
   * Every pod of {@code members} pings every other pod (2 packets, 100 ms apart, within 3 s).
   * One row at a time with the row's pings in parallel, so at most n-1 pings run at once.
   * Cells are ordered by row, then column.
   */
  public List<PodPing> matrix(List<Host> members) {
    return matrix(members, h -> h.requirePod().ns(), h -> h.spec().podIp());
  }

  /** {@link #matrix(List)} for pods made elsewhere (e.g. by CNI plugins): each host's pod namespace and IP. */
  public List<PodPing> matrix(List<Host> members, Function<Host, String> podNs, Function<Host, Inet4Address> podIp) {
    List<PodPing> out = new ArrayList<>();
    for (Host from : members) {
      List<Host> targets = members.stream().filter(to -> !to.equals(from)).toList();
      List<CompletableFuture<PingResult>> row = targets.stream()
          .map(to -> pingAsync(podNs.apply(from), podIp.apply(to), 2, Duration.ofMillis(100), Duration.ofSeconds(3)))
          .toList();
      for (int i = 0; i < targets.size(); i++) {
        try {
          out.add(new PodPing(from, targets.get(i), row.get(i).join()));
        } catch (CompletionException e) {
          // A ping that did not run: its own message, not the pool's wrapper.
          throw e.getCause() instanceof RuntimeException r ? r : e;
        }
      }
    }
    return out;
  }

  /** Stops the pool; pings still running are interrupted. */
  void shutdown() {
    executor.shutdownNow();
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
  }
}
