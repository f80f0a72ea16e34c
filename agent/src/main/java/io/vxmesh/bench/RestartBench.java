package io.vxmesh.bench;

import io.vxmesh.testbed.AgentConfig;
import io.vxmesh.testbed.AgentProcess;
import io.vxmesh.testbed.ExecResult;
import io.vxmesh.testbed.Host;
import io.vxmesh.testbed.PingResult;
import io.vxmesh.testbed.Testbed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vxmesh bench restart}: the pod of host 0 pings the pod of host 1 100 times a second
 * while host 1's agent restarts; counts the packets lost. Variants, each on its own mesh:
 * vxmesh as shipped (SIGTERM announces RESTARTING, peers keep the routes for the restart grace,
 * the restarting host keeps its kernel state), the same with the restart grace cut to 1 ms
 * (baseline: peers drop the host as soon as it is gone, like a plain SWIM agent), and a crash
 * ({@code kill -9}) followed by a start (baseline: no goodbye at all).
 */
@Command(name = "restart", description = "Packets lost by a 100/s pod ping while the target host's agent restarts.")
public final class RestartBench implements Callable<Integer> {
  private static final int PINGS = 1500; // 15 s at 100/s: restart at 1 s, READY within a few s, tail after

  enum Variant {
    HITLESS("SIGTERM + start (vxmesh)", false, c -> c),
    NO_GRACE("SIGTERM + start, restart_grace_ms=1", false, c -> c.with("gossip.restart_grace_ms", 1)),
    CRASH("kill -9 + start", true, c -> c);

    final String label;
    final boolean crash;
    final UnaryOperator<AgentConfig> config;

    Variant(String label, boolean crash, UnaryOperator<AgentConfig> config) {
      this.label = label;
      this.crash = crash;
      this.config = config;
    }
  }

  @Option(names = "--hosts", defaultValue = "3", description = "Mesh size (default ${DEFAULT-VALUE}).")
  int hosts;

  @Option(names = "--repeats", defaultValue = "2", description = "Restarts per variant (default ${DEFAULT-VALUE}).")
  int repeats;

  private record Sample(Variant variant, int lost, int sent, double restartMs) {}

  @Override
  public Integer call() {
    BenchSupport.requireRoot("restart");
    BenchSupport.quietLogs();
    if (hosts < 2 || repeats < 1) {
      System.err.println("vxmesh bench restart: --hosts must be >= 2 and --repeats >= 1");
      return 2;
    }
    List<Sample> samples = new ArrayList<>();
    for (Variant v : Variant.values()) {
      try (Testbed tb = Testbed.create(hosts, true)) {
        BenchSupport.startMesh(tb, tb.hosts(), h -> v.config.apply(tb.agentConfig(h)), Duration.ofSeconds(120));
        Host src = tb.host(0);
        Host dst = tb.host(1);
        for (int r = 0; r < repeats; r++) {
          BenchSupport.sleep(1000);
          AgentProcess a = tb.agent(dst);
          int readyBefore = BenchSupport.readyLines(a).size();
          // -c without -w: with a deadline, ping quits at the first ICMP error (net unreachable).
          CompletableFuture<PingResult> ping = CompletableFuture.supplyAsync(() -> {
            ExecResult e = tb.exec(src.requirePod().ns(), Duration.ofSeconds(60), "ping", "-n", "-i", "0.01", "-c",
                Integer.toString(PINGS), dst.spec().podIp().getHostAddress());
            return PingResult.of(dst.spec().podIp().getHostAddress(), e);
          });
          BenchSupport.sleep(1000);
          long t0 = System.nanoTime();
          if (v.crash) {
            a.kill();
            a.start();
          } else {
            a.restart(Duration.ofSeconds(20));
          }
          OptionalLong ready = BenchSupport.readyMs(a, Duration.ofSeconds(12), readyBefore);
          double restartMs = ready.isPresent() ? BenchSupport.msSince(t0) : -1;
          PingResult p = ping.join();
          samples.add(new Sample(v, p.lost(), p.transmitted(), restartMs));
          System.out.printf(Locale.ROOT, "  %s repeat %d: lost %d of %d pings, agent stop-to-READY %s ms%n",
              v.label, r, p.lost(), p.transmitted(), BenchSupport.ms(restartMs));
          tb.awaitConverged(tb.hosts(), Duration.ofSeconds(60), line -> { });
        }
      }
    }
    print(samples);
    return samples.stream().filter(s -> s.variant() == Variant.HITLESS).allMatch(s -> s.lost() == 0) ? 0 : 1;
  }

  private void print(List<Sample> samples) {
    System.out.println();
    System.out.printf(Locale.ROOT, "vxmesh bench restart: hosts=%d repeats=%d; ping 100/s pod %s -> pod %s during the restart of %s's agent%n",
        hosts, repeats, "master1", "node1", "node1");
    List<List<String>> rows = new ArrayList<>();
    StringBuilder s = new StringBuilder("bench restart");
    for (Variant v : Variant.values()) {
      List<Sample> mine = samples.stream().filter(x -> x.variant() == v).toList();
      int lost = mine.stream().mapToInt(Sample::lost).sum();
      int sent = mine.stream().mapToInt(Sample::sent).sum();
      int worst = mine.stream().mapToInt(Sample::lost).max().orElse(-1);
      double restart = BenchSupport.percentile(mine.stream().map(Sample::restartMs).toList(), 50);
      rows.add(List.of(v.label, Integer.toString(mine.size()), Integer.toString(lost), Integer.toString(sent),
          Integer.toString(worst), BenchSupport.ms(worst * 10.0), BenchSupport.ms(restart)));
      s.append(' ').append(v.name().toLowerCase(Locale.ROOT)).append("_lost_max=").append(worst);
    }
    BenchSupport.printTable(List.of("variant", "restarts", "lost", "sent", "lost_max_per_restart", "outage_ms_max",
        "stop_to_ready_p50_ms"), rows);
    s.append(" goal_lost=0");
    System.out.println(s);
  }
}
