package io.vxmesh.lab.demo;

import io.vxmesh.Agent;
import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.CniPods;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.HostSpec;
import io.vxmesh.lab.testbed.PingResult;
import io.vxmesh.lab.testbed.Pings;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.lab.testbed.Tools;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vxmesh-lab demo}: the README's "run it". Builds N emulated hosts in network namespaces
 * (hosts 0 and 1 are the seed walkthrough's master1 and node1), starts one real agent per host
 * (each writes its CNI conflist), waits until every host has routes to every other pod, makes
 * one pod per host as a container runtime would (the reference {@code bridge} + {@code host-local}
 * CNI plugins, {@code CNI_COMMAND=ADD} with the agent's conflist, see {@link CniPods}), prints
 * {@code vxmesh members} and a pod-by-pod ping matrix, then runs {@code DEL} for every pod (so
 * host-local releases the addresses) and removes everything. Exit 0 when every ping worked.
 * {@code --manual} instead wires the VTEPs and pods by hand like the seed walkthrough.
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
      List<Tools.Tool> needed = new ArrayList<>(Tools.TESTBED);
      if (!manual) {
        needed.addAll(Tools.CNI_PLUGINS);
      }
      Tools.onPath().require(needed);
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
      // Pods by hand only for --manual; otherwise the CNI plugins make them once the agents run.
      tb = Testbed.create(nodes, manual);
    } catch (RuntimeException e) {
      err.println("vxmesh-lab demo: cannot build the namespaces: " + e.getMessage());
      return 1;
    }
    CniPods cni = new CniPods(tb);
    try {
      out.printf("built %d hosts in network namespaces (prefix %s, underlay 10.211.55.0/24, VNI %d, port %d)%n",
          nodes, tb.prefix(), tb.overlay().vni(), tb.overlay().port());
      for (Host h : tb.hosts()) {
        out.printf("  %-8s host %-15s VTEP %-16s %s  pod CIDR %s%n", h.name(), h.spec().underlayIp().getHostAddress(),
            h.spec().vtepAddress(), h.spec().vtepMac(), h.spec().podCidr());
      }
      out.flush();
      if (manual) {
        tb.topology().wireManually();
        out.println("wired the VTEPs by hand (--manual): neighbour, FDB entry and route for every peer;"
            + " pods by hand at .10");
      } else {
        for (Host h : tb.hosts()) {
          tb.startAgent(h, tb.agentToml(h).with("cni.conflist", cni.conflist(h).toString()));
        }
        out.printf("started %d agents (logs in %s), each writing its CNI conflist (bridge + host-local)%n", nodes, tb.dir());
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
      Map<Host, String> podNs = new HashMap<>();
      Map<Host, Inet4Address> podIp = new HashMap<>();
      if (manual) {
        tb.hosts().forEach(h -> {
          podNs.put(h, h.requirePod().ns());
          podIp.put(h, h.spec().podIp());
        });
      } else {
        try {
          addPods(tb, cni, out, podNs, podIp);
        } catch (IOException | RuntimeException e) {
          out.flush();
          err.println("vxmesh-lab demo: " + e.getMessage());
          return 1;
        }
        printMembers(tb, out);
      }
      boolean allOk;
      try {
        allOk = printPingMatrix(tb, out, podNs::get, podIp::get);
      } catch (IllegalStateException e) {
        out.flush();
        err.println("vxmesh-lab demo: " + e.getMessage());
        return 1;
      }
      out.flush();
      if (keep) {
        printHowToLook(tb, out, podNs.get(tb.host(0)), podIp.get(tb.host(1)));
        out.flush();
        awaitCtrlC();
      }
      return allOk ? 0 : 1;
    } finally {
      deletePods(cni, out);
      out.flush();
      tb.close();
    }
  }

  /** One pod per host through the CNI plugins, as a runtime makes it; prints each ADD. */
  private static void addPods(Testbed tb, CniPods cni, PrintWriter out, Map<Host, String> podNs,
      Map<Host, Inet4Address> podIp) throws IOException {
    out.printf("pods through the reference CNI plugins (CNI_COMMAND=ADD, the agent's conflist on stdin,"
        + " host-local state in %s):%n", cni.dataDir(tb.host(0)).getParent());
    for (Host h : tb.hosts()) {
      CniPods.Pod pod = cni.add(h, Duration.ofSeconds(10));
      podNs.put(h, pod.ns());
      podIp.put(h, pod.ip());
      out.printf("  %-8s pod %-13s eth0 %s (host-local)  <- CNI_COMMAND=ADD %s in %s, config from %s%n", h.name(),
          pod.ns(), pod.cidr(), Tools.CNI_PATH.resolve("bridge"), h.ns(), cni.conflist(h).getFileName());
    }
    out.println();
    out.flush();
  }

  /** DEL for every pod the plugins made (host-local releases the addresses); prints each. */
  private static void deletePods(CniPods cni, PrintWriter out) {
    for (CniPods.Pod pod : cni.pods()) {
      try {
        ExecResult r = cni.del(pod);
        boolean leased = cni.leased(pod.host(), pod.ip());
        out.printf("CNI_COMMAND=DEL %s on %s: %s%n", pod.ns(), pod.host().name(), !r.ok() ? r.describeFailure()
            : leased ? "host-local still holds " + pod.ip().getHostAddress() : "released " + pod.ip().getHostAddress());
      } catch (IOException | RuntimeException e) {
        out.printf("CNI_COMMAND=DEL %s on %s failed: %s%n", pod.ns(), pod.host().name(), e.getMessage());
      }
    }
    cni.close(); // whatever is left, also after a failure above
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
  private static boolean printPingMatrix(Testbed tb, PrintWriter out, Function<Host, String> podNs,
      Function<Host, Inet4Address> podIp) {
    List<Host> hosts = tb.hosts();
    out.println("pod-to-pod ping (from row to column; ttl of the reply, 62 = two routed hops + VXLAN):");
    StringBuilder header = new StringBuilder(String.format("%-16s", "from \\ to"));
    hosts.forEach(h -> header.append(String.format("%-16s", h.name())));
    out.println(header.toString().stripTrailing());
    Map<String, String> cells = new HashMap<>();
    List<String> failures = new ArrayList<>();
    for (Pings.PodPing p : tb.pings().matrix(hosts, podNs, podIp)) {
      PingResult r = p.result();
      cells.put(p.from().name() + ">" + p.to().name(),
          r.allReceived() ? "ok ttl=" + r.ttl() : "FAIL " + r.received() + "/" + r.transmitted());
      if (!r.allReceived()) {
        failures.add(p.from().name() + " -> " + p.to().name() + " (" + podIp.apply(p.to()).getHostAddress() + ")");
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

  private static void printHowToLook(Testbed tb, PrintWriter out, String pod0Ns, Inet4Address pod1Ip) {
    Host h = tb.host(0);
    // The installed launcher when there is one, else the jar this demo runs from.
    String vxmesh = Files.isExecutable(Path.of("/usr/bin/vxmesh")) ? "vxmesh"
        : AgentProcess.javaBinary() + " -jar " + AgentProcess.locateJar();
    out.println();
    out.println("The mesh keeps running until Ctrl-C. Look around from another terminal:");
    out.printf("  sudo ip netns exec %s bash     # a shell on %s%n", h.ns(), h.name());
    out.printf("  sudo ip netns exec %s %s members --socket %s%n", h.ns(), vxmesh, tb.agents().socket(h));
    out.printf("  sudo ip netns exec %s ip route show dev %s%n", h.ns(), tb.overlay().device());
    out.printf("  sudo ip netns exec %s ping %s     # pod of %s to pod of %s%n", pod0Ns,
        pod1Ip.getHostAddress(), h.name(), tb.host(1).name());
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
