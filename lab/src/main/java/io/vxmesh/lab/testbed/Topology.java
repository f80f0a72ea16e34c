package io.vxmesh.lab.testbed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulated network of one {@link Testbed}: the switch namespace with the underlay bridge,
 * one namespace per host and per pod, the veth pairs between them, and the seed's VTEP wiring
 * done by hand ({@link #wireManually()}). Also runs commands inside those namespaces
 * ({@link #exec}, {@link #execHost}, {@link #execPod}).
 *
 * <p>Owns the list of hosts and of the namespaces it created; {@link Testbed#close()} has it
 * delete them ({@link #deleteNamespaces()}, pods first, the switch last). Nothing is created in
 * the root namespace: a veth pair is created inside the switch or host namespace with its peer
 * placed directly into the other one.
 *
 * <p>Thread-safe: {@link #addHost()} is synchronized, the lists are copy-on-write, and commands
 * may run concurrently.
 */
public final class Topology {
  private static final Logger log = LoggerFactory.getLogger(Topology.class);
  /** Timeout of every {@code ip}/{@code bridge} call the testbed makes. */
  static final Duration IP_TIMEOUT = Duration.ofSeconds(20);

  private final String prefix;
  private final Overlay overlay;
  private final boolean pods;
  private final Runnable requireOpen;
  /** Told the host count before a host is added (the testbed raises the neighbour table limits). */
  private final java.util.function.IntConsumer sizing;
  private final List<Host> hosts = new CopyOnWriteArrayList<>();
  private final List<String> namespaces = new CopyOnWriteArrayList<>();

  Topology(String prefix, Overlay overlay, boolean pods, Runnable requireOpen, java.util.function.IntConsumer sizing) {
    this.prefix = prefix;
    this.sizing = sizing;
    this.overlay = overlay;
    this.pods = pods;
    this.requireOpen = requireOpen;
  }

  /** The switch namespace, holding the underlay bridge. */
  public String switchNs() {
    return prefix + "-sw";
  }

  /** The underlay bridge in {@link #switchNs()}; extra underlay ports (a test's DNS server) join it. */
  public String bridge() {
    return prefix + "-br";
  }

  public List<Host> hosts() {
    return List.copyOf(hosts);
  }

  public Host host(int index) {
    return hosts.get(index);
  }

  public Host host(String name) {
    return hosts.stream().filter(h -> h.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no host named " + name + " in testbed " + prefix));
  }

  void createSwitch() {
    ipBatch(null, List.of("netns add " + switchNs()));
    namespaces.add(switchNs());
    ipBatch(switchNs(), List.of(
        "link set lo up",
        "link add " + bridge() + " type bridge",
        "link set " + bridge() + " up"));
  }

  /** Adds the next host of the pattern (with a pod when the testbed has pods) and returns it. */
  public synchronized Host addHost() {
    requireOpen.run();
    int i = hosts.size();
    HostSpec spec = HostSpec.of(i);
    sizing.accept(i + 1);
    String ns = prefix + "-h" + i;
    Host.Pod pod = pods ? new Host.Pod(prefix + "-p" + i, prefix + "-p" + i, prefix + "-g" + i) : null;
    Host host = new Host(spec, ns, prefix + "-u" + i, prefix + "-s" + i, pod);
    ipBatch(null, List.of("netns add " + ns));
    namespaces.add(ns);
    if (pod != null) {
      ipBatch(null, List.of("netns add " + pod.ns()));
      namespaces.add(pod.ns());
    }
    ipBatch(switchNs(), List.of(
        "link add " + host.switchPort() + " type veth peer name " + host.underlayDevice() + " netns " + ns,
        "link set " + host.switchPort() + " master " + bridge(),
        "link set " + host.switchPort() + " up"));
    List<String> hostLines = new ArrayList<>(List.of(
        "link set lo up",
        "addr add " + spec.underlayIp().getHostAddress() + "/" + HostSpec.UNDERLAY_PREFIX + " dev " + host.underlayDevice(),
        "link set " + host.underlayDevice() + " up"));
    if (pod != null) {
      int len = spec.podCidr().prefixLength();
      hostLines.addAll(List.of(
          "link add " + pod.gatewayDevice() + " type veth peer name " + pod.device() + " netns " + pod.ns(),
          "addr add " + spec.gatewayIp().getHostAddress() + "/" + len + " dev " + pod.gatewayDevice(),
          "link set " + pod.gatewayDevice() + " up"));
      ipBatch(ns, hostLines);
      ipBatch(pod.ns(), List.of(
          "link set lo up",
          "addr add " + spec.podIp().getHostAddress() + "/" + len + " dev " + pod.device(),
          "link set " + pod.device() + " up",
          "route add default via " + spec.gatewayIp().getHostAddress() + " dev " + pod.device()));
    } else {
      ipBatch(ns, hostLines);
    }
    // The seed's hosts route between their pods and the VTEP.
    exec(ns, IP_TIMEOUT, "sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
    hosts.add(host);
    log.debug("testbed host added prefix={} host={} ns={}", prefix, host.name(), ns);
    return host;
  }

  // ---------------------------------------------------------------- commands

  /** {@code ip netns exec <ns> <command...>} with a timeout; never throws for a non-zero exit. */
  public ExecResult exec(String ns, Duration timeout, String... command) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    cmd.addAll(List.of(command));
    return Exec.run(timeout, cmd);
  }

  /** Runs {@code command} in the host's namespace. */
  public ExecResult execHost(Host host, Duration timeout, String... command) {
    return exec(host.ns(), timeout, command);
  }

  /** Runs {@code command} in the namespace of the host's pod. */
  public ExecResult execPod(Host host, Duration timeout, String... command) {
    return exec(host.requirePod().ns(), timeout, command);
  }

  // ---------------------------------------------------------------- the seed by hand

  /**
   * The seed walkthrough done by hand for every host: the VTEP device, then for every other host
   * its ARP (neighbour) entry, its FDB entry and a route to its pod CIDR. This is the baseline
   * the throughput benchmark compares against, and a way to test the topology without agents.
   */
  public void wireManually() {
    for (Host h : hosts) {
      HostSpec s = h.spec();
      String dev = overlay.device();
      List<String> link = new ArrayList<>(List.of(
          "link add " + dev + " type vxlan id " + overlay.vni() + " dstport " + overlay.port()
              + " local " + s.underlayIp().getHostAddress() + " dev " + h.underlayDevice() + " nolearning",
          "addr add " + s.vtepAddress() + " dev " + dev,
          "link set dev " + dev + " address " + s.vtepMac(),
          "link set " + dev + " up"));
      List<String> fdb = new ArrayList<>();
      List<String> routes = new ArrayList<>();
      for (Host o : hosts) {
        if (o.equals(h)) {
          continue;
        }
        HostSpec p = o.spec();
        link.add("neigh replace " + p.vtepIp().getHostAddress() + " lladdr " + p.vtepMac() + " dev " + dev + " nud permanent");
        fdb.add("fdb append " + p.vtepMac() + " dst " + p.underlayIp().getHostAddress() + " dev " + dev);
        routes.add("route add " + p.podCidr() + " via " + p.vtepIp().getHostAddress() + " dev " + dev);
      }
      ipBatch(h.ns(), link);
      if (!fdb.isEmpty()) {
        batch(List.of("bridge", "-n", h.ns(), "-batch", "-"), fdb, true);
        ipBatch(h.ns(), routes);
      }
    }
  }

  /** Deletes the VTEP device on every host (its neighbours, FDB entries and routes go with it). */
  public void unwire() {
    for (Host h : hosts) {
      ExecResult r = execHost(h, IP_TIMEOUT, "ip", "link", "del", overlay.device());
      if (!r.ok() && !r.stderr().contains("Cannot find device")) {
        throw new IllegalStateException("on " + h.name() + ": " + r.describeFailure());
      }
    }
  }

  // ---------------------------------------------------------------- teardown and iproute2 plumbing

  /**
   * Deletes every namespace this topology created, pods first, then hosts, then the switch (a
   * veth goes when either of its namespaces goes). Does not throw; returns the namespaces of
   * this prefix that are still there.
   */
  List<String> deleteNamespaces() {
    List<String> order = new ArrayList<>(namespaces);
    Collections.reverse(order);
    List<String> lines = new ArrayList<>();
    order.forEach(ns -> lines.add("netns del " + ns));
    if (!lines.isEmpty()) {
      batch(List.of("ip", "-force", "-batch", "-"), lines, false);
    }
    return Testbed.listNamespaces().stream().filter(ns -> ns.startsWith(prefix + "-")).toList();
  }

  /** {@code ip -n <ns> <args...>}; throws when it fails. */
  void ip(String ns, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
    cmd.addAll(List.of(args));
    Exec.run(IP_TIMEOUT, cmd).orThrow();
  }

  /** {@code ip [-n ns] -batch -} with {@code lines}; stops at and reports the first failing line. */
  void ipBatch(String ns, List<String> lines) {
    List<String> cmd = ns == null ? List.of("ip", "-batch", "-") : List.of("ip", "-n", ns, "-batch", "-");
    batch(cmd, lines, true);
  }

  private void batch(List<String> cmd, List<String> lines, boolean check) {
    ExecResult r = Exec.run(IP_TIMEOUT, cmd, String.join("\n", lines) + "\n");
    if (check && !r.ok()) {
      throw new IllegalStateException("testbed " + prefix + ": " + r.describeFailure() + " (batch: " + lines + ")");
    }
  }
}
