package io.vxmesh.lab.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * N real hosts on this machine: each a {@code systemd-nspawn --boot} container with systemd as
 * its PID 1, in a network namespace of its own, all plugged into one bridge that lives in a
 * "switch" namespace; behind each host a pod namespace on its own veth, as a CNI plugin would
 * wire it. Nothing is created in the root network namespace.
 *
 * <pre>
 *   [pod p1]--veth--[host h1: systemd, vxmesh.deb]--veth--+
 *   [pod p2]--veth--[host h2: systemd, vxmesh.deb]--veth--+-- bridge in [switch sw] (10.77.0.1)
 *   ...
 * </pre>
 *
 * Host i: underlay {@code 10.77.0.(10+i)/24} with a default route via the switch, pod network
 * {@code 10.234.i.0/24} (gateway .1 on the host, the pod .2), VTEP {@code 10.236.0.i/24}.
 *
 * <p>Every namespace, device, machine and cgroup name starts with the per-run {@link #prefix()}
 * ({@code vsh} + 4 hex digits). {@link #close()} powers the hosts off (SIGTERM to nspawn, then
 * SIGKILL after a deadline), deletes the namespaces and the cgroups, also when a test failed;
 * a JVM shutdown hook does the same when the JVM is interrupted.
 */
final class SystemdHosts implements AutoCloseable {
  static final String STEM = "vsh";
  static final String UNDERLAY = "10.77.0";
  /** The hosts' DNS server: on the underlay, held by nobody, so every lookup times out. */
  static final String UNREACHABLE_DNS = UNDERLAY + ".53";
  private static final Duration CMD = Duration.ofSeconds(60);
  private static final Duration BOOT = Duration.ofSeconds(90);

  private final String prefix = STEM + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
  private final Path rootfs;
  private final Path deb;
  private final Path work;
  private final List<Host> hosts = new ArrayList<>();
  private final List<String> namespaces = new ArrayList<>();
  private final Thread hook = new Thread(this::close, "systemd-hosts-cleanup");
  private boolean closed;

  /** One booted host. */
  final class Host {
    final int index;
    final Process nspawn;
    final Path log;
    long leader;

    Host(int index, Process nspawn, Path log) {
      this.index = index;
      this.nspawn = nspawn;
      this.log = log;
    }

    String name() {
      return "h" + index;
    }

    String netns() {
      return prefix + "-h" + index;
    }

    String machine() {
      return prefix + "-h" + index;
    }

    String podNetns() {
      return prefix + "-p" + index;
    }

    String underlayIp() {
      return UNDERLAY + "." + (10 + index);
    }

    String podIp() {
      return "10.234." + index + ".2";
    }

    String podCidr() {
      return "10.234." + index + ".0/24";
    }

    String vtepAddress() {
      return "10.236.0." + index + "/24";
    }

    /** Runs a command inside the host (all its namespaces, a clean environment), as root. */
    Sh.Result exec(String... command) {
      return execIn(CMD, null, command);
    }

    /** Runs a command inside the host with input and a deadline. */
    Sh.Result execIn(Duration timeout, String stdin, String... command) {
      List<String> cmd = new ArrayList<>(List.of("nsenter", "-t", Long.toString(leader), "-a",
          "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"));
      cmd.addAll(List.of(command));
      return Sh.run(timeout, stdin, cmd);
    }

    /** Writes a file inside the host with the given mode, as an operator would with an editor. */
    void writeFile(String path, String content, String mode) {
      execIn(CMD, content, "sh", "-c", "umask 077 && cat > \"$0\" && chmod " + mode + " \"$0\"", path).check();
    }

    String readFile(String path) {
      return exec("cat", path).check().out();
    }

    /** Runs a command in this host's pod namespace (from outside: the pod has no systemd). */
    Sh.Result pod(Duration timeout, String... command) {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", podNetns()));
      cmd.addAll(List.of(command));
      return Sh.run(timeout, cmd);
    }

    @Override
    public String toString() {
      return name() + " (" + machine() + ", " + underlayIp() + ")";
    }
  }

  private SystemdHosts(Path rootfs, Path deb, Path work) {
    this.rootfs = rootfs;
    this.deb = deb;
    this.work = work;
  }

  /**
   * Builds the switch and {@code n} hosts with pods, boots them and waits for each to finish
   * booting. The {@code .deb} is bind-mounted read-only at {@code /opt/vxmesh.deb} in every host.
   */
  static SystemdHosts boot(int n, Path deb) {
    Path rootfs = Rootfs.ensure();
    Path work;
    try {
      work = Files.createTempDirectory("vxmesh-systemd-hosts-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SystemdHosts h = new SystemdHosts(rootfs, deb, work);
    Runtime.getRuntime().addShutdownHook(h.hook);
    try {
      h.start(n);
    } catch (RuntimeException | Error e) {
      h.close();
      throw e;
    }
    return h;
  }

  String prefix() {
    return prefix;
  }

  List<Host> hosts() {
    return List.copyOf(hosts);
  }

  Host host(int i) {
    return hosts.get(i - 1);
  }

  Path work() {
    return work;
  }

  private void start(int n) {
    String sw = prefix + "-sw";
    String br = prefix + "-br";
    netnsAdd(sw);
    ip("-n", sw, "link", "add", br, "type", "bridge");
    ip("-n", sw, "addr", "add", UNDERLAY + ".1/24", "dev", br);
    ip("-n", sw, "link", "set", br, "up");
    for (int i = 1; i <= n; i++) {
      String ns = prefix + "-h" + i;
      String port = prefix + "-s" + i;
      String nic = prefix + "-u" + i;
      netnsAdd(ns);
      ip("-n", sw, "link", "add", port, "type", "veth", "peer", "name", nic, "netns", ns);
      ip("-n", sw, "link", "set", port, "master", br, "up");
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "addr", "add", UNDERLAY + "." + (10 + i) + "/24", "dev", nic);
      ip("-n", ns, "link", "set", nic, "up");
      ip("-n", ns, "route", "add", "default", "via", UNDERLAY + ".1");
      addPod(i, ns);
      hosts.add(launch(i, ns));
    }
    long deadline = System.nanoTime() + BOOT.toNanos();
    for (Host h : hosts) {
      h.leader = awaitLeader(h, deadline);
    }
    for (Host h : hosts) {
      String state = await(deadline, "host " + h + " to finish booting", () -> {
        Sh.Result r = h.execIn(Duration.ofSeconds(30), null, "systemctl", "is-system-running", "--wait");
        String s = r.out().strip();
        return s.isEmpty() || s.equals("starting") || s.equals("initializing") ? Optional.empty() : Optional.of(s);
      });
      System.out.printf("%s: booted, system %s%n", h, state);
      // As a Debian installer leaves it: the host's own name in /etc/hosts. And a resolver that
      // never answers (an on-link address nobody holds): the mesh must not depend on DNS.
      h.writeFile("/etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\t" + h.name() + "\n", "0644");
      h.writeFile("/etc/resolv.conf", "nameserver " + UNREACHABLE_DNS + "\n", "0644");
    }
  }

  /** Pod i: a namespace behind host i on a veth, 10.234.i.2/24, default route via the host. */
  private void addPod(int i, String hostNs) {
    String pod = prefix + "-p" + i;
    String gw = prefix + "-g" + i;
    String eth = prefix + "-q" + i;
    netnsAdd(pod);
    ip("-n", hostNs, "link", "add", gw, "type", "veth", "peer", "name", eth, "netns", pod);
    ip("-n", hostNs, "addr", "add", "10.234." + i + ".1/24", "dev", gw);
    ip("-n", hostNs, "link", "set", gw, "up");
    ip("-n", pod, "link", "set", "lo", "up");
    ip("-n", pod, "addr", "add", "10.234." + i + ".2/24", "dev", eth);
    ip("-n", pod, "link", "set", eth, "up");
    ip("-n", pod, "route", "add", "default", "via", "10.234." + i + ".1");
    Sh.run(CMD, List.of("ip", "netns", "exec", hostNs, "sysctl", "-qw", "net.ipv4.ip_forward=1")).check();
  }

  /**
   * Starts {@code systemd-nspawn --boot} for host i. Where PID 1 is not systemd (no scope, no
   * machined), the nspawn process first moves itself into a cgroup of its own in each hierarchy,
   * or every container's systemd would share one "/payload" cgroup.
   */
  private Host launch(int i, String ns) {
    String machine = prefix + "-h" + i;
    StringBuilder script = new StringBuilder("set -e\n");
    List<String> extra = new ArrayList<>();
    if (!Files.isDirectory(Path.of("/run/systemd/system"))) {
      for (Path r : cgroupRoots()) {
        Path own = r.resolve(machine);
        script.append("mkdir -p '").append(own).append("'; echo $$ > '").append(own.resolve("cgroup.procs")).append("'\n");
      }
      extra.addAll(List.of("--keep-unit", "--register=no"));
    }
    List<String> nspawn = new ArrayList<>(List.of("systemd-nspawn", "--boot", "--quiet"));
    nspawn.addAll(extra);
    nspawn.addAll(List.of("--directory=" + rootfs, "--volatile=overlay", "--machine=" + machine, "--hostname=h" + i,
        "--network-namespace-path=/run/netns/" + ns, "--resolv-conf=off", "--capability=CAP_NET_ADMIN",
        "--bind-ro=" + deb.toAbsolutePath() + ":/opt/vxmesh.deb", "--console=read-only"));
    script.append("exec");
    for (String a : nspawn) {
      script.append(" '").append(a.replace("'", "'\\''")).append("'");
    }
    Path log = work.resolve("h" + i + ".console.log");
    try {
      Process p = new ProcessBuilder("bash", "-c", script.toString())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      return new Host(i, p, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start systemd-nspawn for " + machine, e);
    }
  }

  /** The container's PID 1 (systemd), a child of the nspawn process. */
  private long awaitLeader(Host h, long deadline) {
    return await(deadline, "systemd to start in " + h, () -> {
      if (!h.nspawn.isAlive()) {
        throw new IllegalStateException("systemd-nspawn for " + h + " exited " + h.nspawn.exitValue() + ":\n" + tail(h.log));
      }
      return h.nspawn.children().filter(c -> c.info().command().map(s -> s.endsWith("/systemd")).orElse(false))
          .map(ProcessHandle::pid).findFirst();
    });
  }

  /** Polls {@code probe} every 100 ms until it yields a value or the deadline passes. */
  static <T> T await(long deadlineNanos, String what, Supplier<Optional<T>> probe) {
    while (true) {
      Optional<T> v = probe.get();
      if (v.isPresent()) {
        return v.get();
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
  }

  static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no " + file + ")";
    }
  }

  /** cgroup hierarchies nspawn needs a private subtree in: the v2 root, or unified + name=systemd. */
  private static List<Path> cgroupRoots() {
    Path root = Path.of("/sys/fs/cgroup");
    Sh.Result fs = Sh.run(CMD, List.of("stat", "-fc", "%T", root.toString())).check();
    if (fs.out().strip().equals("cgroup2fs")) {
      return List.of(root);
    }
    List<Path> roots = new ArrayList<>();
    for (String d : List.of("unified", "systemd")) {
      if (Files.isDirectory(root.resolve(d))) {
        roots.add(root.resolve(d));
      }
    }
    return roots;
  }

  private void netnsAdd(String ns) {
    Sh.run(CMD, List.of("ip", "netns", "add", ns)).check();
    namespaces.add(ns);
  }

  private static void ip(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Sh.run(CMD, cmd).check();
  }

  /** Leaves the hosts running after this JVM exits (debugging); clean up with the sweep in docs/testbed.md. */
  synchronized void keep() {
    closed = true;
    Runtime.getRuntime().removeShutdownHook(hook);
  }

  /** Powers every host off, then removes namespaces, cgroups and nspawn's propagation dirs. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // nspawn turns SIGTERM into an orderly poweroff of the container (SIGRTMIN+3 to its PID 1).
    for (Host h : hosts) {
      h.nspawn.destroy();
    }
    for (Host h : hosts) {
      try {
        if (!h.nspawn.waitFor(30, TimeUnit.SECONDS)) {
          System.out.println(h + ": no poweroff within 30 s, killing");
          h.nspawn.descendants().forEach(ProcessHandle::destroyForcibly);
          h.nspawn.destroyForcibly();
          h.nspawn.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      Sh.run(CMD, List.of("ip", "netns", "del", namespaces.get(i)));
    }
    for (Host h : hosts) {
      for (Path r : cgroupRoots()) {
        Path own = r.resolve(h.machine());
        if (Files.isDirectory(own)) {
          Sh.run(CMD, List.of("find", own.toString(), "-depth", "-type", "d", "-exec", "rmdir", "{}", ";"));
        }
      }
      Sh.run(CMD, List.of("rm", "-rf", "/run/systemd/nspawn/propagate/" + h.machine()));
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: this is the hook
    }
  }
}
