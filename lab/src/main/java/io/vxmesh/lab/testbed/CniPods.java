package io.vxmesh.lab.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vxmesh.net.IpAddresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pods made the way a container runtime makes them: one network namespace per pod and the
 * reference CNI plugins ({@link Tools#CNI_PLUGINS}) called with {@code CNI_COMMAND=ADD} / {@code DEL}
 * and the network configuration on stdin, inside the host's namespace. The configuration is the
 * conflist the host's agent wrote ({@code [cni] conflist}, see {@link #conflist(Host)}), with
 * host-local's {@code dataDir} moved from /var/lib/cni/networks into this run's directory, so
 * nothing outlives the run.
 *
 * <p>{@link #close()} deletes every pod still there (DEL first, so host-local releases its
 * address, then the namespace); the testbed's close calls it. Pod namespaces are
 * {@code <prefix>-c<host index>}.
 */
public final class CniPods implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CniPods.class);
  static final Duration PLUGIN = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Testbed tb;
  private final Path dataDir;
  private final List<Pod> pods = new CopyOnWriteArrayList<>();

  /**
   * One pod: its namespace, the address and prefix length host-local gave it, and the plugin's
   * ADD result (JSON, CNI spec).
   */
  public record Pod(Host host, String ns, Inet4Address ip, int prefixLength, String addResult) {
    public String cidr() {
      return ip.getHostAddress() + "/" + prefixLength;
    }
  }

  /**
   * Pods of {@code tb}'s hosts; host-local keeps its state under {@code <tb dir>/cni}. Closing the
   * testbed (also on Ctrl-C) closes this first.
   */
  public CniPods(Testbed tb) {
    this.tb = tb;
    this.dataDir = tb.dir().resolve("cni");
    tb.closeFirst(this);
  }

  /** Where the agent of {@code host} is told to write its conflist: {@code <tb dir>/<host>.conflist}. */
  public Path conflist(Host host) {
    return tb.dir().resolve(host.name() + ".conflist");
  }

  /** host-local's data directory for {@code host}: per host, in the run's directory. */
  public Path dataDir(Host host) {
    return dataDir.resolve(host.name());
  }

  /** Whether host-local holds a lease file for {@code ip} of {@code host}'s network. */
  public boolean leased(Host host, Inet4Address ip) throws IOException {
    JsonNode list = JSON.readTree(Files.readString(conflist(host)));
    return Files.exists(dataDir(host).resolve(list.get("name").asText()).resolve(ip.getHostAddress()));
  }

  /**
   * What a runtime hands the first (only) plugin of the host's list: the plugin's own object plus
   * the list's name and cniVersion, with host-local's dataDir set to {@link #dataDir(Host)}.
   */
  public String pluginConfig(Host host) throws IOException {
    JsonNode list = JSON.readTree(Files.readString(conflist(host)));
    if (list.get("plugins") == null || list.get("plugins").size() != 1) {
      throw new IllegalStateException("expected one plugin in " + conflist(host) + ": " + list);
    }
    ObjectNode conf = JSON.createObjectNode();
    conf.set("cniVersion", list.get("cniVersion"));
    conf.set("name", list.get("name"));
    conf.setAll((ObjectNode) list.get("plugins").get(0).deepCopy());
    ((ObjectNode) conf.get("ipam")).put("dataDir", dataDir(host).toString());
    return JSON.writeValueAsString(conf);
  }

  /** One plugin call as a runtime makes it, inside the host's namespace; never throws for a failed call. */
  public ExecResult call(Host host, String command, String podNs, String config) throws IOException {
    String type = JSON.readTree(config).get("type").asText();
    List<String> cmd = List.of("ip", "netns", "exec", host.ns(), "env", "CNI_COMMAND=" + command,
        "CNI_CONTAINERID=" + podNs, "CNI_NETNS=/run/netns/" + podNs, "CNI_IFNAME=eth0", "CNI_PATH=" + Tools.CNI_PATH,
        Tools.CNI_PATH.resolve(type).toString());
    ExecResult r = Exec.run(PLUGIN, cmd, config);
    log.debug("cni {} host={} pod={} exit={} stdout={} stderr={}", command, host.name(), podNs, r.exitCode(),
        r.stdout().strip(), r.stderr().strip());
    return r;
  }

  /**
   * Makes {@code host}'s pod: waits up to {@code wait} for the agent's conflist, creates the pod
   * namespace and runs ADD. Throws with the plugin's output when it fails (the namespace is
   * removed again).
   */
  public Pod add(Host host, Duration wait) throws IOException {
    if (!Poll.until(wait, Duration.ofMillis(50), () -> Files.isRegularFile(conflist(host)))) {
      throw new IllegalStateException("the agent of " + host.name() + " wrote no conflist " + conflist(host) + " within "
          + wait.toSeconds() + " s");
    }
    String ns = tb.prefix() + "-c" + host.index();
    Exec.run(PLUGIN, List.of("ip", "netns", "add", ns)).orThrow();
    ExecResult r = call(host, "ADD", ns, pluginConfig(host));
    if (!r.ok()) {
      Exec.run(PLUGIN, List.of("ip", "netns", "del", ns));
      throw new IllegalStateException("CNI ADD on " + host.name() + " failed: " + r.describeFailure() + " " + r.stdout().strip());
    }
    String cidr = JSON.readTree(r.stdout()).get("ips").get(0).get("address").asText();
    int slash = cidr.indexOf('/');
    Pod pod = new Pod(host, ns, IpAddresses.parseV4(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)),
        r.stdout());
    pods.add(pod);
    return pod;
  }

  /** Runs DEL for {@code pod} (host-local releases the address), then deletes its namespace. */
  public ExecResult del(Pod pod) throws IOException {
    ExecResult r = call(pod.host(), "DEL", pod.ns(), pluginConfig(pod.host()));
    Exec.run(PLUGIN, List.of("ip", "netns", "del", pod.ns()));
    pods.remove(pod);
    return r;
  }

  /** The pods made here and not deleted yet, in the order they were made. */
  public List<Pod> pods() {
    return List.copyOf(pods);
  }

  /** DEL and namespace removal for every pod still there; logs what failed and goes on. */
  @Override
  public void close() {
    List<String> failed = new ArrayList<>();
    for (Pod p : pods()) {
      try {
        ExecResult r = del(p);
        if (!r.ok()) {
          failed.add(p.ns() + ": " + r.describeFailure());
        }
      } catch (IOException | UncheckedIOException | IllegalStateException e) {
        Exec.run(PLUGIN, List.of("ip", "netns", "del", p.ns()));
        pods.remove(p);
        failed.add(p.ns() + ": " + e.getMessage());
      }
    }
    if (!failed.isEmpty()) {
      log.warn("cni pods cleanup failed pods={}", failed);
    }
  }
}
