package io.vxmesh.lab.demo;

import io.vxmesh.Agent;
import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.HostSpec;
import io.vxmesh.lab.testbed.PingResult;
import io.vxmesh.lab.testbed.Pings;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.lab.testbed.Tools;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vxmesh-lab demo}: the README's "run it". Builds N emulated hosts in network namespaces
 * (hosts 0 and 1 are the seed walkthrough's master1 and node1), starts one real agent per host,
 * waits until every host has routes to every other pod, prints {@code vxmesh members} and a
 * pod-by-pod ping matrix, and removes everything. Exit 0 when every ping worked.
 */
@Command(
    name = "demo",
    description = {
        "Build a demo mesh in network namespaces on this machine, start one agent per host,",
        "and ping every pod from every pod. Removes everything afterwards (unless --keep). Needs root."})
public final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "2", description = "Number of hosts (default: ${DEFAULT-VALUE}, the seed's master1 and node1).")
  int nodes;

  @Option(names = "--keep", description = "Leave the mesh running until Ctrl-C and print how to look at it.")
  boolean keep;

  @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait for convergence (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--manual", description = "Wire the VTEPs by hand like the seed walkthrough (ip/bridge commands) instead of starting agents.")
  boolean manual;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      // Before anything starts: without ping every cell of the matrix would only say FAIL.
      Tools.onPath().require(Tools.TESTBED);
    } catch (Tools.MissingToolsException e) {
      err.println("vxmesh-lab demo: " + e.getMessage());
      return Agent.EX_UNAVAILABLE;
    }
    if (!Testbed.isRoot()) {
      err.println("vxmesh-lab demo: needs root to create network namespaces; run it with sudo");
      return 1;
    }
    if (nodes < 2 || nodes > HostSpec.MAX_HOSTS) {
      err.println("vxmesh-lab demo: --nodes must be 2.." + HostSpec.MAX_HOSTS + ", got " + nodes);
      return 2;
    }
    Testbed tb;
    try {
      tb = Testbed.create(nodes, true);
    } catch (RuntimeException e) {
      err.println("vxmesh-lab demo: cannot build the namespaces: " + e.getMessage());
      return 1;
    }
    try {
      out.printf("built %d hosts in network namespaces (prefix %s, underlay 10.211.55.0/24, VNI %d, port %d)%n",
          nodes, tb.prefix(), tb.overlay().vni(), tb.overlay().port());
      for (Host h : tb.hosts()) {
        out.printf("  %-8s host %-15s VTEP %-16s %s  pod %s%n", h.name(), h.spec().underlayIp().getHostAddress(),
            h.spec().vtepAddress(), h.spec().vtepMac(), h.spec().podIp().getHostAddress());
      }
      out.flush();
      if (manual) {
        tb.topology().wireManually();
        out.println("wired the VTEPs by hand (--manual): neighbour, FDB entry and route for every peer");
      } else {
        for (Host h : tb.hosts()) {
          tb.startAgent(h);
        }
        out.printf("started %d agents (logs in %s)%n", nodes, tb.dir());
      }
      out.flush();
      Duration took;
      try {
        // On a terminal the progress line rewrites itself; in a log each change is its own line.
        boolean tty = System.console() != null;
        took = tb.awaitConverged(tb.hosts(), Duration.ofSeconds(timeoutSeconds), line -> {
          out.print(tty ? "\rconverging: " + line : "converging: " + line + "\n");
          out.flush();
        });
      } catch (IllegalStateException e) {
        out.println();
        err.println("vxmesh-lab demo: " + e.getMessage());
        err.println(tb.diagnostics());
        return 1;
      }
      out.printf("%sconverged in %.1f s%n%n", System.console() != null ? "\n" : "", took.toMillis() / 1000.0);
      if (!manual) {
        printMembers(tb, out);
      }
      boolean allOk;
      try {
        allOk = printPingMatrix(tb, out);
      } catch (IllegalStateException e) {
        out.flush();
        err.println("vxmesh-lab demo: " + e.getMessage());
        return 1;
      }
      out.flush();
      if (keep) {
        printHowToLook(tb, out);
        out.flush();
        awaitCtrlC();
      }
      return allOk ? 0 : 1;
    } finally {
      tb.close();
    }
  }

  private static void printMembers(Testbed tb, PrintWriter out) {
    AgentProcess a = tb.agent(tb.host(0));
    out.printf("$ ip netns exec %s vxmesh members --socket %s%n", tb.host(0).ns(), a.socket());
    ExecResult r = a.cli(Duration.ofSeconds(20), "members", "--socket", a.socket().toString());
    out.print(r.stdout());
    if (!r.ok()) {
      out.println("(" + r.describeFailure() + ")");
    }
    out.println();
  }

  /** Every pod pings every other pod; prints TTL (62 expected) or FAIL. True when all worked. */
  private static boolean printPingMatrix(Testbed tb, PrintWriter out) {
    List<Host> hosts = tb.hosts();
    out.println("pod-to-pod ping (from row to column; ttl of the reply, 62 = two routed hops + VXLAN):");
    StringBuilder header = new StringBuilder(String.format("%-16s", "from \\ to"));
    hosts.forEach(h -> header.append(String.format("%-16s", h.name())));
    out.println(header.toString().stripTrailing());
    Map<String, String> cells = new HashMap<>();
    List<String> failures = new ArrayList<>();
    for (Pings.PodPing p : tb.pings().matrix(hosts)) {
      PingResult r = p.result();
      cells.put(p.from().name() + ">" + p.to().name(),
          r.allReceived() ? "ok ttl=" + r.ttl() : "FAIL " + r.received() + "/" + r.transmitted());
      if (!r.allReceived()) {
        failures.add(p.from().name() + " -> " + p.to().name() + " (" + p.to().spec().podIp().getHostAddress() + ")");
      }
    }
    for (Host from : hosts) {
      StringBuilder row = new StringBuilder(String.format("%-16s", from.name()));
      hosts.forEach(to -> row.append(String.format("%-16s", cells.getOrDefault(from.name() + ">" + to.name(), "-"))));
      out.println(row.toString().stripTrailing());
    }
    out.println(failures.isEmpty() ? "all pings worked" : "pings failed: " + String.join(", ", failures));
    return failures.isEmpty();
  }

  private static void printHowToLook(Testbed tb, PrintWriter out) {
    Host h = tb.host(0);
    // The installed launcher when there is one, else the jar this demo runs from.
    String vxmesh = Files.isExecutable(Path.of("/usr/bin/vxmesh")) ? "vxmesh"
        : AgentProcess.javaBinary() + " -jar " + AgentProcess.locateJar();
    out.println();
    out.println("The mesh keeps running until Ctrl-C. Look around from another terminal:");
    out.printf("  sudo ip netns exec %s bash     # a shell on %s%n", h.ns(), h.name());
    out.printf("  sudo ip netns exec %s %s members --socket %s%n", h.ns(), vxmesh, tb.agents().socket(h));
    out.printf("  sudo ip netns exec %s ip route show dev %s%n", h.ns(), tb.overlay().device());
    out.printf("  sudo ip netns exec %s ping %s     # pod of %s to pod of %s%n", h.requirePod().ns(),
        tb.host(1).spec().podIp().getHostAddress(), h.name(), tb.host(1).name());
    out.printf("  agent logs: %s/<host>.log%n", tb.dir());
  }

  /** Blocks until the JVM shuts down (Ctrl-C); the testbed's shutdown hook removes the mesh. */
  private static void awaitCtrlC() {
    CountDownLatch never = new CountDownLatch(1);
    try {
      never.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
