package io.vxmesh.lab.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vxmesh.gossip.ClusterKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole network of emulated hosts on this machine, built from network namespaces:
 * <pre>
 *   [pod p0]--veth--[host h0]--veth--+
 *   [pod p1]--veth--[host h1]--veth--+ bridge in the "switch" namespace (the underlay L2)
 *   ...                              |
 * </pre>
 * Host i has the addresses of {@link HostSpec#of(int)} (hosts 0 and 1 are the seed's master1 and
 * node1). Nothing is created in the root namespace: veth pairs are created inside the switch or
 * host namespace with their peer placed directly into the other one. Every namespace and device
 * name starts with the per-run {@link #prefix()}; {@link #close()} kills the agents it started
 * and deletes the namespaces (their veths go with them), and a JVM shutdown hook does the same
 * when the JVM is interrupted. {@link #sweep(String)} removes leftovers of a crashed run.
 *
 * <p>Names, for prefix {@code vbed1a2b}: namespaces {@code vbed1a2b-sw}, {@code vbed1a2b-h<i>},
 * {@code vbed1a2b-p<i>}; devices: bridge {@code vbed1a2b-br} (and {@code vbed1a2b-b2} while
 * partitioned), switch ports {@code vbed1a2b-s<i>}, host underlay NIC {@code vbed1a2b-u<i>}, pod
 * gateway {@code vbed1a2b-g<i>} (host side) and {@code vbed1a2b-p<i>} (pod side). The VTEP device
 * keeps the overlay's name ({@code vxlan-test}) because the agent is configured with it; it only
 * ever exists inside a host namespace.
 *
 * <p>Thread-safe: host list changes are synchronized; reads and commands may run concurrently.
 */
public final class Testbed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Testbed.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Stem of generated prefixes ("vbed" + 4 hex). Deliberately not "vxt"/"vxb": other suites on
   * the same machine use those, and a sweep by stem must never touch their namespaces.
   */
  public static final String PREFIX_STEM = "vbed";
  private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{2,7}");
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(20);
  /** Packets per check ping: two, so one lost packet is visible without slowing tests down. */
  public static final int PINGS = 2;

  private final String prefix;
  private final Overlay overlay;
  private final boolean pods;
  private final Path dir;
  private final Path keyFile;
  private final List<Host> hosts = new CopyOnWriteArrayList<>();
  private final List<String> namespaces = new CopyOnWriteArrayList<>();
  private final List<AgentProcess> agents = new CopyOnWriteArrayList<>();
  private final ExecutorService executor;
  private final Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean partitioned;

  private Testbed(String prefix, Overlay overlay, boolean pods) {
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("testbed prefix '" + prefix + "' must be 3..8 of [a-z0-9], starting with a letter");
    }
    this.prefix = prefix;
    this.overlay = overlay;
    this.pods = pods;
    try {
      this.dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "vxmesh-" + prefix));
      this.keyFile = writeKeyFile(dir.resolve("cluster.key"), ClusterKey.generate());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the testbed directory: " + e.getMessage(), e);
    }
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "testbed-" + prefix);
      t.setDaemon(true);
      return t;
    });
    this.shutdownHook = new Thread(this::closeQuietly, "testbed-cleanup-" + prefix);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** {@code hosts} hosts of the seed pattern, each with a pod when {@code pods}, on the seed's overlay. */
  public static Testbed create(int hosts, boolean pods) {
    return create(newPrefix(), Overlay.SEED, hosts, pods);
  }

  /**
   * Builds the switch and {@code hosts} hosts. Checks first that {@link Tools#TESTBED} are
   * installed ({@link Tools.MissingToolsException} names what is not). On any failure everything
   * built so far is removed before the exception propagates.
   */
  public static Testbed create(String prefix, Overlay overlay, int hosts, boolean pods) {
    if (!isRoot()) {
      throw new IllegalStateException("the testbed needs root (it creates network namespaces)");
    }
    Tools.onPath().require(Tools.TESTBED);
    Testbed tb = new Testbed(prefix, overlay, pods);
    try {
      tb.createSwitch();
      for (int i = 0; i < hosts; i++) {
        tb.addHost();
      }
      log.debug("testbed created prefix={} hosts={} pods={}", prefix, hosts, pods);
      return tb;
    } catch (RuntimeException e) {
      tb.closeQuietly();
      throw e;
    }
  }

  /** A fresh per-run prefix: {@value #PREFIX_STEM} + 4 random hex digits. */
  public static String newPrefix() {
    byte[] b = new byte[2];
    new SecureRandom().nextBytes(b);
    return PREFIX_STEM + HexFormat.of().formatHex(b);
  }

  /** True when this process runs as uid 0. */
  public static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * Removes every namespace whose name starts with {@code prefix} (leftovers of a run that was
   * killed before its cleanup): first SIGKILLs the processes still inside them (agents and pings
   * that run started), then deletes the namespaces. Returns the names removed.
   */
  public static List<String> sweep(String prefix) {
    if (prefix == null || prefix.length() < 3) {
      throw new IllegalArgumentException("sweep prefix '" + prefix + "' is too broad (need at least 3 characters)");
    }
    List<String> removed = new ArrayList<>();
    for (String ns : listNamespaces()) {
      if (!ns.startsWith(prefix)) {
        continue;
      }
      ExecResult pids = Exec.run(IP_TIMEOUT, List.of("ip", "netns", "pids", ns));
      for (String pid : pids.stdout().split("\\s+")) {
        if (!pid.isBlank()) {
          log.info("testbed sweep kill ns={} pid={}", ns, pid);
          Exec.run(IP_TIMEOUT, List.of("kill", "-9", pid.strip()));
        }
      }
      ExecResult del = Exec.run(IP_TIMEOUT, List.of("ip", "netns", "del", ns));
      if (del.ok()) {
        removed.add(ns);
      } else {
        log.warn("testbed sweep cannot delete ns={} reason={}", ns, del.describeFailure());
      }
    }
    return removed;
  }

  /** Names in {@code ip netns list}. */
  public static List<String> listNamespaces() {
    ExecResult r = Exec.run(IP_TIMEOUT, List.of("ip", "netns", "list")).orThrow();
    List<String> out = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      if (!line.isBlank()) {
        out.add(line.strip().split("\\s+")[0]);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- topology

  public String prefix() {
    return prefix;
  }

  public Overlay overlay() {
    return overlay;
  }

  /** Per-run directory for configs, keys, sockets and logs ({@code /tmp/vxmesh-<prefix>}); deleted by close(). */
  public Path dir() {
    return dir;
  }

  /** The cluster key every agent of this testbed shares by default. */
  public Path keyFile() {
    return keyFile;
  }

  /** The switch namespace, holding the underlay bridge. */
  public String switchNs() {
    return prefix + "-sw";
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

  private void createSwitch() {
    ipBatch(null, List.of("netns add " + switchNs()));
    namespaces.add(switchNs());
    ipBatch(switchNs(), List.of(
        "link set lo up",
        "link add " + bridge() + " type bridge",
        "link set " + bridge() + " up"));
  }

  private String bridge() {
    return prefix + "-br";
  }

  private String partitionBridge() {
    return prefix + "-b2";
  }

  /** Adds the next host of the pattern (with a pod when the testbed has pods) and returns it. */
  public synchronized Host addHost() {
    requireOpen();
    int i = hosts.size();
    HostSpec spec = HostSpec.of(i);
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

  /**
   * {@code ping -n -c count -i interval -w deadline target} inside {@code ns}. Intervals below
   * 200 ms are fine (we are root). Throws when ping did not run (see {@link PingResult#of}).
   */
  public PingResult ping(String ns, Inet4Address target, int count, Duration interval, Duration deadline) {
    String ip = target.getHostAddress();
    ExecResult r = exec(ns, deadline.plusSeconds(5), "ping", "-n", "-c", Integer.toString(count),
        "-i", seconds(interval), "-w", Long.toString(Math.max(1, (deadline.toMillis() + 999) / 1000)), ip);
    return PingResult.of(ip, r);
  }

  /** The same ping on a pool thread, e.g. 100/s for the whole of an agent restart. */
  public CompletableFuture<PingResult> pingAsync(String ns, Inet4Address target, int count, Duration interval, Duration deadline) {
    requireOpen();
    return CompletableFuture.supplyAsync(() -> ping(ns, target, count, interval, deadline), executor);
  }

  /** Pod of {@code from} pings the pod of {@code to}: {@value #PINGS} packets, 100 ms apart, within 5 s. */
  public PingResult pingPodToPod(Host from, Host to) {
    return ping(from.requirePod().ns(), to.spec().podIp(), PINGS, Duration.ofMillis(100), Duration.ofSeconds(5));
  }

  /** Host {@code from} (its namespace) pings the pod of {@code to}: {@value #PINGS} packets within 5 s. */
  public PingResult pingHostToPod(Host from, Host to) {
    return ping(from.ns(), to.spec().podIp(), PINGS, Duration.ofMillis(100), Duration.ofSeconds(5));
  }

  /** Host {@code from} pings host {@code to} on the underlay: {@value #PINGS} packets within 5 s. */
  public PingResult pingUnderlay(Host from, Host to) {
    return ping(from.ns(), to.spec().underlayIp(), PINGS, Duration.ofMillis(100), Duration.ofSeconds(5));
  }

  /** One cell of {@link #pingMatrix}: the pod of {@code from} pinged the pod of {@code to}. */
  public record PodPing(Host from, Host to, PingResult result) {}

  /**
   * Every pod of {@code members} pings every other pod (2 packets, 100 ms apart, within 3 s).
   * One row at a time with the row's pings in parallel, so at most n-1 pings run at once.
   * Cells are ordered by row, then column.
   */
  public List<PodPing> pingMatrix(List<Host> members) {
    List<PodPing> out = new ArrayList<>();
    for (Host from : members) {
      List<Host> targets = members.stream().filter(to -> !to.equals(from)).toList();
      List<CompletableFuture<PingResult>> row = targets.stream()
          .map(to -> pingAsync(from.requirePod().ns(), to.spec().podIp(), 2, Duration.ofMillis(100), Duration.ofSeconds(3)))
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

  private static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
  }

  // ---------------------------------------------------------------- kernel state of a host

  /** {@code ip neigh show dev <vtep>} in the host; empty when the VTEP does not exist. */
  public List<KernelTables.Neigh> neighbours(Host host) {
    return KernelTables.neighs(readVtep(host, "ip", "-j", "neigh", "show", "dev", overlay.device()));
  }

  /** {@code bridge fdb show dev <vtep>} in the host; empty when the VTEP does not exist. */
  public List<KernelTables.Fdb> fdb(Host host) {
    return KernelTables.fdbs(readVtep(host, "bridge", "-j", "fdb", "show", "dev", overlay.device()));
  }

  /** {@code ip route show dev <vtep>} (main table) in the host; empty when the VTEP does not exist. */
  public List<KernelTables.Route> routes(Host host) {
    return KernelTables.routes(readVtep(host, "ip", "-j", "route", "show", "dev", overlay.device()));
  }

  /** {@code ip nexthop show dev <vtep>} in the host; empty when the VTEP does not exist. */
  public List<KernelTables.Nexthop> nexthops(Host host) {
    return KernelTables.nexthops(readVtep(host, "ip", "-j", "nexthop", "show", "dev", overlay.device()));
  }

  /** {@code ip -d -j link show <vtep>} in the host, or empty when there is no such device. */
  public Optional<JsonNode> vtepLink(Host host) {
    String json = readVtep(host, "ip", "-d", "-j", "link", "show", overlay.device());
    try {
      JsonNode n = json.isBlank() ? null : JSON.readTree(json);
      return n != null && n.isArray() && n.size() > 0 ? Optional.of(n.get(0)) : Optional.empty();
    } catch (IOException e) {
      throw new IllegalStateException("cannot parse `ip -d -j link show` of " + host.name() + ": " + e.getMessage());
    }
  }

  private String readVtep(Host host, String... command) {
    ExecResult r = execHost(host, IP_TIMEOUT, command);
    if (r.ok()) {
      return r.stdout();
    }
    String err = r.stderr();
    if (err.contains("does not exist") || err.contains("Cannot find device")) {
      return "";
    }
    throw new IllegalStateException("on " + host.name() + ": " + r.describeFailure());
  }

  /** The neighbour, the FDB entry and the route for {@code peer} are all on {@code host}'s VTEP, with the peer's values. */
  public boolean hasPeerEntries(Host host, Host peer) {
    HostSpec p = peer.spec();
    String vtepIp = p.vtepIp().getHostAddress();
    String mac = p.vtepMac().toString();
    return neighbours(host).stream().anyMatch(n -> vtepIp.equals(n.dst()) && mac.equals(n.lladdr()))
        && fdb(host).stream().anyMatch(f -> mac.equals(f.mac()) && p.underlayIp().getHostAddress().equals(f.dst()))
        && routes(host).stream().anyMatch(r -> p.podCidr().toString().equals(r.dst()) && vtepIp.equals(r.gateway()));
  }

  /** None of the neighbour, FDB entry or route for {@code peer} is on {@code host}'s VTEP. */
  public boolean hasNoPeerEntries(Host host, Host peer) {
    HostSpec p = peer.spec();
    String vtepIp = p.vtepIp().getHostAddress();
    String mac = p.vtepMac().toString();
    return neighbours(host).stream().noneMatch(n -> vtepIp.equals(n.dst()))
        && fdb(host).stream().noneMatch(f -> mac.equals(f.mac()))
        && routes(host).stream().noneMatch(r -> p.podCidr().toString().equals(r.dst()));
  }

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
        batch(List.of("bridge", "-n", h.ns(), "-batch", "-"), fdb);
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

  /**
   * Which routes each host lacks for the pods of the others (empty map: converged). A host is
   * converged when its VTEP holds {@code <podCidr> via <vtepIp>} for every other host in
   * {@code members}; routes are programmed last (neighbour, FDB, route), so they imply the rest.
   */
  public Map<String, List<String>> missingRoutes(Collection<Host> members) {
    Map<String, List<String>> missing = new LinkedHashMap<>();
    for (Host h : members) {
      List<KernelTables.Route> have = routes(h);
      for (Host o : members) {
        if (o.equals(h)) {
          continue;
        }
        String dst = o.spec().podCidr().toString();
        String via = o.spec().vtepIp().getHostAddress();
        boolean ok = have.stream().anyMatch(r -> dst.equals(r.dst()) && via.equals(r.gateway()));
        if (!ok) {
          missing.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(o.name() + " (" + dst + " via " + via + ")");
        }
      }
    }
    return missing;
  }

  /** True when every host of {@code members} has routes to the pods of all the others. */
  public boolean converged(Collection<Host> members) {
    return missingRoutes(members).isEmpty();
  }

  /**
   * Polls {@link #missingRoutes} every 200 ms until it is empty; reports "k/n hosts converged"
   * to {@code progress} whenever that changes. Throws with what is still missing at the deadline,
   * or at once when the latest agent started on a member host has exited.
   */
  public Duration awaitConverged(Collection<Host> members, Duration timeout, Consumer<String> progress) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    String last = null;
    while (true) {
      failIfAnAgentDied(members);
      Map<String, List<String>> missing = missingRoutes(members);
      String line = (members.size() - missing.size()) + "/" + members.size() + " hosts have routes to every other pod";
      if (!line.equals(last)) {
        progress.accept(line);
        last = line;
      }
      if (missing.isEmpty()) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      if (System.nanoTime() >= deadline) {
        StringBuilder b = new StringBuilder("mesh did not converge within " + timeout.toMillis() + " ms:");
        missing.forEach((h, l) -> b.append(' ').append(h).append(" lacks routes to ").append(String.join(", ", l)).append(';'));
        throw new IllegalStateException(b.toString());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for convergence", e);
      }
    }
  }

  /** Convergence cannot come when a member's agent has exited: say so at once, with its log. */
  private void failIfAnAgentDied(Collection<Host> members) {
    for (Host h : members) {
      AgentProcess a = latestAgent(h);
      if (a != null && !a.isAlive()) {
        List<String> lines = a.log().lines().toList();
        OptionalInt code = a.awaitExit(Duration.ofSeconds(1));
        throw new IllegalStateException("agent " + h.name() + " exited " + (code.isPresent() ? code.getAsInt() : "?")
            + " (log " + a.logFile() + "); last lines:\n  "
            + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
      }
    }
  }

  // ---------------------------------------------------------------- faults on the underlay

  /** Cuts the host off the underlay: its switch port goes down (both directions, silently). */
  public void isolate(Host host) {
    ip(switchNs(), "link", "set", host.switchPort(), "down");
  }

  /** Undoes {@link #isolate}. */
  public void reconnect(Host host) {
    ip(switchNs(), "link", "set", host.switchPort(), "up");
  }

  /**
   * Splits the underlay in two: the hosts of {@code side} move to a second bridge, so they reach
   * each other but nobody else (frames between the groups are silently dropped, like a real
   * partition; ARP entries on the hosts stay). {@link #heal()} puts them back.
   */
  public synchronized void partition(Collection<Host> side) {
    requireOpen();
    if (!partitioned) {
      ipBatch(switchNs(), List.of("link add " + partitionBridge() + " type bridge", "link set " + partitionBridge() + " up"));
      partitioned = true;
    }
    List<String> lines = new ArrayList<>();
    side.forEach(h -> lines.add("link set " + h.switchPort() + " master " + partitionBridge()));
    ipBatch(switchNs(), lines);
  }

  /**
   * Silently drops all traffic between {@code a} and {@code b} only (both directions; each keeps
   * talking to everybody else): each side gets a permanent ARP entry for the other's underlay IP
   * with an unused MAC, so its frames are flooded by the bridge and accepted by nobody. No tc
   * needed (this kernel has no tc actions). {@link #restorePair} undoes it.
   */
  public void cutPair(Host a, Host b) {
    String blackholeMac = "02:00:5e:00:de:ad";
    ip(a.ns(), "neigh", "replace", b.spec().underlayIp().getHostAddress(), "lladdr", blackholeMac,
        "dev", a.underlayDevice(), "nud", "permanent");
    ip(b.ns(), "neigh", "replace", a.spec().underlayIp().getHostAddress(), "lladdr", blackholeMac,
        "dev", b.underlayDevice(), "nud", "permanent");
  }

  /** Undoes {@link #cutPair}: the bogus ARP entries go, ARP resolves the real MACs again. */
  public void restorePair(Host a, Host b) {
    ip(a.ns(), "neigh", "del", b.spec().underlayIp().getHostAddress(), "dev", a.underlayDevice());
    ip(b.ns(), "neigh", "del", a.spec().underlayIp().getHostAddress(), "dev", b.underlayDevice());
  }

  /** Reconnects every host to the one bridge after {@link #partition}. */
  public synchronized void heal() {
    if (!partitioned) {
      return;
    }
    List<String> lines = new ArrayList<>();
    hosts.forEach(h -> lines.add("link set " + h.switchPort() + " master " + bridge()));
    lines.add("link del " + partitionBridge());
    ipBatch(switchNs(), lines);
    partitioned = false;
  }

  // ---------------------------------------------------------------- agents

  /** A second cluster key file (e.g. for the wrong-key test), in the testbed directory. */
  public Path newKeyFile(String name) {
    try {
      return writeKeyFile(dir.resolve(name), ClusterKey.generate());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write key file " + name + ": " + e.getMessage(), e);
    }
  }

  /** The host's API socket path: {@code <dir>/<name>.sock}. */
  public Path socket(Host host) {
    return dir.resolve(host.name() + ".sock");
  }

  /**
   * The default configuration of {@code host}: the seed's addresses, the shared key, joining
   * host 0 (host 0 itself starts the mesh).
   */
  public AgentToml agentToml(Host host) {
    return AgentToml.forHost(host, overlay, List.of(hosts.get(0)), keyFile, socket(host));
  }

  /** Writes {@link #agentToml(Host)} and starts the agent. */
  public AgentProcess startAgent(Host host) {
    return startAgent(host, agentToml(host));
  }

  /** Writes {@code config} to {@code <dir>/<name>.toml} and starts the agent with it. */
  public AgentProcess startAgent(Host host, AgentToml config) {
    Path file = config.write(dir.resolve(host.name() + ".toml"));
    return startAgent(host, file, config.socket(), AgentProcess.TEST_JVM_ARGS);
  }

  /**
   * Starts {@code vxmesh agent --config <configFile>} in the host (any file, e.g. a broken one);
   * the agent is killed by {@link #close()}.
   */
  public AgentProcess startAgent(Host host, Path configFile, Path socket, List<String> jvmArgs) {
    requireOpen();
    AgentProcess a = new AgentProcess(host, configFile, socket, dir.resolve(host.name() + ".log"),
        AgentProcess.locateJar(), jvmArgs);
    agents.add(a);
    return a.start();
  }

  /** Every agent started through this testbed, oldest first. */
  public List<AgentProcess> agents() {
    return List.copyOf(agents);
  }

  /** The most recently started agent of {@code host}. */
  public AgentProcess agent(Host host) {
    AgentProcess a = latestAgent(host);
    if (a == null) {
      throw new IllegalArgumentException("no agent was started on " + host.name());
    }
    return a;
  }

  private AgentProcess latestAgent(Host host) {
    List<AgentProcess> all = List.copyOf(agents);
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).host().equals(host)) {
        return all.get(i);
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- diagnostics and cleanup

  /**
   * Everything needed to understand a failed test: each agent's log (last 200 lines) and each
   * host's links, neighbours, FDB, routes and nexthops.
   */
  public String diagnostics() {
    StringBuilder b = new StringBuilder("===== testbed " + prefix + " diagnostics =====\n");
    for (AgentProcess a : agents) {
      b.append("----- agent ").append(a.host().name()).append(" alive=").append(a.isAlive())
          .append(" log=").append(a.logFile()).append('\n');
      List<String> lines = a.log().lines().toList();
      lines.subList(Math.max(0, lines.size() - 200), lines.size()).forEach(l -> b.append("  ").append(l).append('\n'));
    }
    for (Host h : hosts) {
      b.append("----- host ").append(h.name()).append(" ns=").append(h.ns()).append('\n');
      for (List<String> cmd : List.of(
          List.of("ip", "-d", "link", "show"),
          List.of("ip", "addr", "show"),
          List.of("ip", "neigh", "show"),
          List.of("bridge", "fdb", "show", "dev", overlay.device()),
          List.of("ip", "route", "show"),
          List.of("ip", "nexthop", "show"))) {
        ExecResult r = execHost(h, Duration.ofSeconds(5), cmd.toArray(String[]::new));
        b.append("$ ").append(String.join(" ", cmd)).append('\n').append(r.stdout());
        if (!r.ok()) {
          b.append("(").append(r.describeFailure()).append(")\n");
        }
      }
    }
    return b.toString();
  }

  /**
   * Kills every agent this testbed started, deletes all its namespaces (veths and VTEPs vanish
   * with them) and its directory. Idempotent. Throws if a namespace could not be removed.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself
    }
    for (AgentProcess a : agents) {
      try {
        a.kill();
      } catch (RuntimeException e) {
        log.warn("testbed cannot kill agent host={} reason={}", a.host().name(), e.getMessage());
      }
    }
    executor.shutdownNow();
    List<String> lines = new ArrayList<>();
    // Pods first, then hosts, then the switch: a veth goes when either of its namespaces goes.
    List<String> order = new ArrayList<>(namespaces);
    java.util.Collections.reverse(order);
    order.forEach(ns -> lines.add("netns del " + ns));
    if (!lines.isEmpty()) {
      batch(List.of("ip", "-force", "-batch", "-"), lines, false);
    }
    List<String> left = listNamespaces().stream().filter(ns -> ns.startsWith(prefix + "-")).toList();
    deleteDirectory(dir);
    if (!left.isEmpty()) {
      throw new IllegalStateException("testbed " + prefix + " could not remove namespaces " + left);
    }
    log.debug("testbed closed prefix={}", prefix);
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      log.warn("testbed cleanup failed prefix={} reason={}", prefix, e.getMessage());
    }
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("testbed " + prefix + " is closed");
    }
  }

  private void ip(String ns, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
    cmd.addAll(List.of(args));
    Exec.run(IP_TIMEOUT, cmd).orThrow();
  }

  /** {@code ip [-n ns] -batch -} with {@code lines}; stops at and reports the first failing line. */
  private void ipBatch(String ns, List<String> lines) {
    List<String> cmd = ns == null ? List.of("ip", "-batch", "-") : List.of("ip", "-n", ns, "-batch", "-");
    batch(cmd, lines);
  }

  private void batch(List<String> cmd, List<String> lines) {
    batch(cmd, lines, true);
  }

  private void batch(List<String> cmd, List<String> lines, boolean check) {
    ExecResult r = Exec.run(IP_TIMEOUT, cmd, String.join("\n", lines) + "\n");
    if (check && !r.ok()) {
      throw new IllegalStateException("testbed " + prefix + ": " + r.describeFailure() + " (batch: " + lines + ")");
    }
  }

  private static Path writeKeyFile(Path file, ClusterKey key) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, key.toBase64() + "\n", StandardCharsets.US_ASCII);
    return file;
  }

  private static void deleteDirectory(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          log.debug("testbed cannot delete path={} reason={}", p, e.getMessage());
        }
      });
    } catch (IOException e) {
      log.debug("testbed cannot walk dir={} reason={}", root, e.getMessage());
    }
  }
}
