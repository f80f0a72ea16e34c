package io.vxmesh.lab.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
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
 * node1). This class owns the run: it creates it ({@link #create}), names it ({@link #prefix()},
 * {@link #dir()}) and removes it ({@link #close()}: kills the agents it started, deletes the
 * namespaces with their veths, and the directory; a JVM shutdown hook does the same when the JVM
 * is interrupted; {@link #sweep(String)} removes leftovers of a crashed run). A mesh too large
 * for the kernel's neighbour table limits has them raised while the testbed is open
 * ({@link NeighbourLimits}, {@link #expectHosts}). The work is done
 * by its parts, one concern each:
 * <ul>
 *   <li>{@link #topology()}: namespaces, bridge, veths, hosts and pods; commands inside them;
 *       the seed wired by hand.
 *   <li>{@link #agents()}: the agents, their configs, keys, sockets and logs.
 *   <li>{@link #faults()}: isolation, partitions, cut pairs on the underlay.
 *   <li>{@link #pings()}: pings between pods and hosts, and the pod × pod matrix.
 *   <li>{@link #tables()}: each host's VTEP tables (neighbours, FDB, routes, nexthops).
 *   <li>{@link #convergence()}: whether every host has routes to every other pod.
 * </ul>
 * The calls nearly every test makes have shortcuts here: {@link #hosts()}, {@link #host(int)},
 * {@link #addHost()}, {@link #startAgent(Host)}, {@link #agent(Host)}, {@link #agentToml(Host)},
 * {@link #awaitConverged}. Everything else is called on its part:
 * {@code tb.faults().partition(side)}, {@code tb.pings().podToPod(a, b)}.
 *
 * <p>Names, for prefix {@code vbed1a2b}: namespaces {@code vbed1a2b-sw}, {@code vbed1a2b-h<i>},
 * {@code vbed1a2b-p<i>}; devices: bridge {@code vbed1a2b-br} (and {@code vbed1a2b-b2} while
 * partitioned), switch ports {@code vbed1a2b-s<i>}, host underlay NIC {@code vbed1a2b-u<i>}, pod
 * gateway {@code vbed1a2b-g<i>} (host side) and {@code vbed1a2b-p<i>} (pod side). The VTEP device
 * keeps the overlay's name ({@code vxlan-test}) because the agent is configured with it; it only
 * ever exists inside a host namespace.
 *
 * <p>Thread-safe, as each part is; {@link #close()} runs once.
 */
public final class Testbed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Testbed.class);
  /**
   * Stem of generated prefixes ("vbed" + 4 hex). Deliberately not "vxt"/"vxb": other suites on
   * the same machine use those, and a sweep by stem must never touch their namespaces.
   */
  public static final String PREFIX_STEM = "vbed";
  private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{2,7}");

  private final String prefix;
  private final Overlay overlay;
  private final Path dir;
  private final Topology topology;
  private final Agents agents;
  private final Faults faults;
  private final Pings pings;
  private final KernelTables tables;
  private final Convergence convergence;
  private final Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<AutoCloseable> closeFirst = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final boolean pods;
  /** Keeps the root namespace's neighbour table limits large enough for this testbed's hosts. */
  private final NeighbourLimits.Lease neighbourLimits = NeighbourLimits.rootNamespace().lease();

  private Testbed(String prefix, Overlay overlay, boolean pods) {
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("testbed prefix '" + prefix + "' must be 3..8 of [a-z0-9], starting with a letter");
    }
    this.prefix = prefix;
    this.overlay = overlay;
    try {
      this.dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "vxmesh-" + prefix));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the testbed directory: " + e.getMessage(), e);
    }
    this.pods = pods;
    this.topology = new Topology(prefix, overlay, pods, this::requireOpen, n -> neighbourLimits.require(n, pods));
    this.agents = new Agents(topology, overlay, dir, this::requireOpen);
    this.faults = new Faults(topology, prefix, this::requireOpen);
    this.pings = new Pings(topology, prefix, this::requireOpen);
    this.tables = new KernelTables(topology, overlay);
    this.convergence = new Convergence(tables, agents);
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
      tb.expectHosts(hosts);
      tb.topology.createSwitch();
      for (int i = 0; i < hosts; i++) {
        tb.topology.addHost();
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
      ExecResult pids = Exec.run(Topology.IP_TIMEOUT, List.of("ip", "netns", "pids", ns));
      for (String pid : pids.stdout().split("\\s+")) {
        if (!pid.isBlank()) {
          log.info("testbed sweep kill ns={} pid={}", ns, pid);
          Exec.run(Topology.IP_TIMEOUT, List.of("kill", "-9", pid.strip()));
        }
      }
      ExecResult del = Exec.run(Topology.IP_TIMEOUT, List.of("ip", "netns", "del", ns));
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
    ExecResult r = Exec.run(Topology.IP_TIMEOUT, List.of("ip", "netns", "list")).orThrow();
    List<String> out = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      if (!line.isBlank()) {
        out.add(line.strip().split("\\s+")[0]);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- the run and its parts

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

  public Topology topology() {
    return topology;
  }

  public Agents agents() {
    return agents;
  }

  public Faults faults() {
    return faults;
  }

  public Pings pings() {
    return pings;
  }

  public KernelTables tables() {
    return tables;
  }

  public Convergence convergence() {
    return convergence;
  }

  // ---------------------------------------------------------------- shortcuts for the common calls

  /** {@link Topology#hosts()}. */
  public List<Host> hosts() {
    return topology.hosts();
  }

  /** {@link Topology#host(int)}. */
  public Host host(int index) {
    return topology.host(index);
  }

  /** {@link Topology#host(String)}. */
  public Host host(String name) {
    return topology.host(name);
  }

  /**
   * States that this testbed will grow to {@code total} hosts (e.g. a benchmark that adds a
   * joiner per repeat), so the kernel's neighbour table limits are raised once, for the final
   * size, rather than host by host. {@link Topology#addHost()} raises them as needed anyway.
   */
  public void expectHosts(int total) {
    neighbourLimits.require(total, pods);
  }

  /** {@link Topology#addHost()}. */
  public Host addHost() {
    return topology.addHost();
  }

  /** {@link Agents#toml(Host)}: the default config of the host's agent. */
  public AgentToml agentToml(Host host) {
    return agents.toml(host);
  }

  /** {@link Agents#start(Host)}: starts the host's agent with its default config. */
  public AgentProcess startAgent(Host host) {
    return agents.start(host);
  }

  /** {@link Agents#start(Host, AgentToml)}. */
  public AgentProcess startAgent(Host host, AgentToml config) {
    return agents.start(host, config);
  }

  /** {@link Agents#start(Host, AgentToml, java.util.Map)}: with extra environment variables. */
  public AgentProcess startAgent(Host host, AgentToml config, java.util.Map<String, String> env) {
    return agents.start(host, config, env);
  }

  /** {@link Agents#of(Host)}: the most recently started agent of {@code host}. */
  public AgentProcess agent(Host host) {
    return agents.of(host);
  }

  /** {@link Convergence#await}. */
  public Duration awaitConverged(Collection<Host> members, Duration timeout, Consumer<String> progress) {
    return convergence.await(members, timeout, progress);
  }

  // ---------------------------------------------------------------- diagnostics and cleanup

  /**
   * Has {@link #close()} (also the shutdown hook's) close {@code part} first, while the host
   * namespaces still exist: things made inside hosts by others, e.g. {@link CniPods}, whose DEL
   * runs in the host's namespace.
   */
  public void closeFirst(AutoCloseable part) {
    closeFirst.add(part);
  }

  /**
   * Everything needed to understand a failed test: each agent's log (last 200 lines) and each
   * host's links, neighbours, FDB, routes and nexthops.
   */
  public String diagnostics() {
    StringBuilder b = new StringBuilder("===== testbed " + prefix + " diagnostics =====\n");
    for (AgentProcess a : agents.all()) {
      b.append("----- agent ").append(a.host().name()).append(" alive=").append(a.isAlive())
          .append(" log=").append(a.logFile()).append('\n');
      List<String> lines = a.log().lines().toList();
      lines.subList(Math.max(0, lines.size() - 200), lines.size()).forEach(l -> b.append("  ").append(l).append('\n'));
    }
    for (Host h : topology.hosts()) {
      b.append("----- host ").append(h.name()).append(" ns=").append(h.ns()).append('\n');
      for (List<String> cmd : List.of(
          List.of("ip", "-d", "link", "show"),
          List.of("ip", "addr", "show"),
          List.of("ip", "neigh", "show"),
          List.of("bridge", "fdb", "show", "dev", overlay.device()),
          List.of("ip", "route", "show"),
          List.of("ip", "nexthop", "show"))) {
        ExecResult r = topology.execHost(h, Duration.ofSeconds(5), cmd.toArray(String[]::new));
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
    for (AutoCloseable part : closeFirst) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("testbed part cleanup failed prefix={} part={} reason={}", prefix, part.getClass().getSimpleName(), e.toString());
      }
    }
    List<String> left;
    try {
      agents.killAll();
      pings.shutdown();
      left = topology.deleteNamespaces();
    } finally {
      neighbourLimits.close(); // after the namespaces (their entries go with them), and also when removing them failed
    }
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
