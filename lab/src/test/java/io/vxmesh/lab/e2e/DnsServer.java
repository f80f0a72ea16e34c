package io.vxmesh.lab.e2e;

import io.vxmesh.lab.testbed.Exec;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Poll;
import io.vxmesh.lab.testbed.Testbed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real DNS server on a testbed's underlay: Debian's dnsmasq, run by PID in a namespace of its
 * own ({@code <prefix>-dns}, a port on the underlay bridge, address {@link #ADDRESS}), answering
 * only the records it is given ({@code --no-resolv --no-hosts}) and logging every query. A host
 * gets it as resolver through {@code /etc/netns/<host ns>/resolv.conf}, which
 * {@code ip netns exec} (how the testbed starts agents) bind-mounts over /etc/resolv.conf.
 * {@link #close()} stops dnsmasq, deletes the namespace and every resolv.conf it wrote.
 */
final class DnsServer implements AutoCloseable {
  static final String ADDRESS = "10.211.55.253";
  static final Path DNSMASQ = Path.of("/usr/sbin/dnsmasq");
  private static final Path NETNS_ETC = Path.of("/etc/netns");
  private static final Duration IP = Duration.ofSeconds(20);
  private static final Pattern QUERY = Pattern.compile("query\\[(\\w+)] (\\S+) from (\\S+)");

  private final Testbed tb;
  private final String ns;
  private final Path log;
  private final List<Path> netnsDirs = new ArrayList<>();
  private final boolean createdNetnsEtc;
  private Process dnsmasq;

  /** One query dnsmasq logged: type (A, AAAA, PTR...), name, source address. */
  record Query(String type, String name, String from) {}

  /** @param records name to its IPv4 addresses (one A record each) */
  DnsServer(Testbed tb, Map<String, List<String>> records) {
    this.tb = tb;
    this.ns = tb.prefix() + "-dns";
    this.log = tb.dir().resolve("dnsmasq.log");
    this.createdNetnsEtc = !Files.exists(NETNS_ETC);
    try {
      String port = tb.prefix() + "-dq";
      run("ip", "netns", "add", ns);
      run("ip", "-n", tb.topology().switchNs(), "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
      run("ip", "-n", tb.topology().switchNs(), "link", "set", port, "master", tb.topology().bridge(), "up");
      run("ip", "-n", ns, "addr", "add", ADDRESS + "/24", "dev", "eth0");
      run("ip", "-n", ns, "link", "set", "eth0", "up");
      run("ip", "-n", ns, "link", "set", "lo", "up");
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, DNSMASQ.toString(), "--no-daemon",
          "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--listen-address=" + ADDRESS, "--bind-interfaces",
          "--log-queries", "--log-facility=-", "--pid-file=", "--user=root", "--group=root"));
      records.forEach((name, ips) -> ips.forEach(ip -> cmd.add("--host-record=" + name + "," + ip)));
      dnsmasq = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!Poll.until(Duration.ofSeconds(10), Duration.ofMillis(50), () -> log().contains("cleared cache") || !dnsmasq.isAlive())
          || !dnsmasq.isAlive()) {
        throw new IllegalStateException("dnsmasq did not start: " + log());
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** Makes this server the resolver of processes started in {@code host} from now on. */
  void resolverOf(Host host) {
    Path dir = NETNS_ETC.resolve(host.ns());
    try {
      Files.createDirectories(dir);
      netnsDirs.add(dir);
      Files.writeString(dir.resolve("resolv.conf"), "# vxmesh test " + tb.prefix() + "\nnameserver " + ADDRESS + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Every query logged so far. */
  List<Query> queries() {
    List<Query> out = new ArrayList<>();
    Matcher m = QUERY.matcher(log());
    while (m.find()) {
      out.add(new Query(m.group(1), m.group(2), m.group(3)));
    }
    return out;
  }

  private void run(String... cmd) {
    ExecResult r = Exec.run(IP, List.of(cmd));
    if (!r.ok()) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + r.describeFailure());
    }
  }

  @Override
  public void close() {
    if (dnsmasq != null) {
      dnsmasq.destroy();
      try {
        if (!dnsmasq.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          dnsmasq.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        dnsmasq.destroyForcibly();
      }
    }
    Exec.run(IP, List.of("ip", "netns", "del", ns));
    for (Path dir : netnsDirs) {
      try {
        Files.deleteIfExists(dir.resolve("resolv.conf"));
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        System.err.println("cannot remove " + dir + ": " + e.getMessage());
      }
    }
    if (createdNetnsEtc) {
      try {
        Files.deleteIfExists(NETNS_ETC); // only when empty: another run may be using it
      } catch (IOException e) {
        // not empty: someone else's
      }
    }
  }
}
