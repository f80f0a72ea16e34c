package io.vxmesh.config;

import io.vxmesh.gossip.ClusterKey;
import io.vxmesh.gossip.GossipSettings;
import io.vxmesh.gossip.Keyring;
import io.vxmesh.gossip.GossipProtocol;
import io.vxmesh.gossip.GossipSettings.GossipTimers;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.JoinEntry;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.net.PodCidrRules;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One resolution pass of {@link ConfigLoader}: {@link RawConfig} (as written) → defaults
 * (machine-dependent ones from {@link HostInfo}) and validation → {@link Config}. Holds the file
 * name for messages; every failure is a {@link ConfigException} naming file, key and reason.
 */
final class Resolution {
  static final Path DEFAULT_KEY_FILE = Path.of("/etc/vxmesh/cluster.key");
  static final int MAX_VNI = 0xFFFFFF;
  static final int IFNAMSIZ_MAX = 15;
  private static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "error");
  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private final Path file;
  private final HostInfo host;

  Resolution(Path file, HostInfo host) {
    this.file = file;
    this.host = host;
  }

  Config resolve(RawConfig raw) throws ConfigException {
    String nodeName = raw.nodeName() != null ? raw.nodeName() : host.hostName();
    if (!NODE_NAME.matcher(nodeName).matches()) {
      throw error(raw.nodeName() != null ? "node_name" : "node_name (default: host name)",
          "'" + nodeName + "' is not a valid node name (letters, digits, '.', '_', '-'; at most 63)");
    }
    RawConfig.Gossip g = raw.gossip() != null ? raw.gossip()
        : new RawConfig.Gossip(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    GossipConfig gossip = gossip(g);
    ApiConfig api = new ApiConfig(raw.api() == null || raw.api().socket() == null
        ? ApiConfig.DEFAULT_SOCKET : absolutePath("api.socket", raw.api().socket()));
    List<NetworkConfig> networks = networks(raw.network(), nodeName, gossip.advertise());
    AgentConfig agent = agent(raw.agent(), raw.log());
    CniConfig cni = cni(raw.cni(), networks.get(0).podCidr());
    MetricsConfig metrics = metrics(raw.metrics());
    return new Config(file, nodeName, gossip, api, networks, agent, cni, metrics, keyring(gossip.keyFile()));
  }

  /**
   * {@code [metrics] listen}: an IP literal and a port, and an address this host has (loopback,
   * the wildcard, or one of its IPv4 addresses), so a typo fails here with the key rather than
   * later as a bind error.
   */
  private MetricsConfig metrics(RawConfig.Metrics m) throws ConfigException {
    if (m == null || m.listen() == null || m.listen().isEmpty()) {
      return MetricsConfig.off();
    }
    HostPort listen = parse("metrics.listen", m.listen(), t -> HostPort.parse(t));
    InetAddress ip = listen.host();
    if (ip instanceof Inet4Address v4 && !ip.isLoopbackAddress() && !ip.isAnyLocalAddress()
        && !host.ipv4Addresses().contains(v4)) {
      throw error("metrics.listen", ip.getHostAddress() + " is not an address of this host (use 127.0.0.1:"
          + MetricsConfig.SUGGESTED_PORT + " for a local Prometheus, or an address of this host)");
    }
    return new MetricsConfig(Optional.of(listen));
  }

  /**
   * The cluster keys: one base64 key per line, the first signs, all are accepted ({@link
   * Keyring#parse}; several only while rotating). A missing, empty or malformed key file is the
   * usual first-install mistake (each host made its own, or none): the message says how to make
   * ONE key and distribute it. Also used on reload (SIGHUP), which keeps the old keys on error.
   */
  Keyring keyring(Path keyFile) throws ConfigException {
    String text;
    try {
      String problem = ConfigFiles.keyFileProblem(keyFile, ConfigFiles.selfUid());
      if (problem != null) {
        throw error("gossip.key_file", keyFile + " " + problem + "; anyone who can read the key can join the mesh and"
            + " steer its routes; fix: chown root:vxmesh " + keyFile + " && chmod 0640 " + keyFile);
      }
      // ISO-8859-1 decodes any bytes; the base64 decoder then rejects what is not base64.
      text = new String(ConfigFiles.readBounded(keyFile, ConfigFiles.MAX_KEY_BYTES), StandardCharsets.ISO_8859_1);
    } catch (ConfigFiles.TooLargeException e) {
      throw keyFileError(keyFile, "is larger than " + ConfigFiles.describe(ConfigFiles.MAX_KEY_BYTES) + ", not a cluster key");
    } catch (NoSuchFileException e) {
      throw keyFileError(keyFile, "does not exist");
    } catch (AccessDeniedException e) {
      throw error("gossip.key_file", keyFile + " is not readable by this user (permission denied; run as root)");
    } catch (IOException e) {
      throw error("gossip.key_file", keyFile + ": cannot read: " + e.getMessage());
    }
    if (text.isBlank()) {
      throw keyFileError(keyFile, "is empty");
    }
    try {
      return Keyring.parse(text);
    } catch (IllegalArgumentException e) {
      throw keyFileError(keyFile, "is not a cluster key (" + e.getMessage() + ")");
    }
  }

  private ConfigException keyFileError(Path keyFile, String what) {
    return error("gossip.key_file", keyFile + " " + what + "; create ONE key for the whole mesh with '(umask 077; vxmesh keygen > "
        + keyFile + ")' on one host and copy that same file to every host");
  }

  private GossipConfig gossip(RawConfig.Gossip g) throws ConfigException {
    InetAddress bind = g.bind() == null ? IpAddresses.parseV4("0.0.0.0") : parse("gossip.bind", g.bind(), IpAddresses::parse);
    Inet4Address advertise;
    if (g.advertise() != null) {
      advertise = parse("gossip.advertise", g.advertise(), IpAddresses::parseV4);
      List<Inet4Address> mine = host.ipv4Addresses();
      if (!mine.contains(advertise)) {
        List<String> shown = mine.stream().filter(a -> !a.isLoopbackAddress()).map(Inet4Address::getHostAddress).toList();
        throw error("gossip.advertise", advertise.getHostAddress() + " is not an address of this host ("
            + (shown.isEmpty() ? "it has no IPv4 address but loopback" : "its addresses: " + listed(shown)) + ")");
      }
    } else {
      String dev = host.defaultRouteDevice().orElseThrow(() -> error("gossip.advertise",
          "not set and there is no default route to take it from; set it to this host's underlay IPv4 address"));
      List<Inet4Address> addrs = host.ipv4Addresses(dev);
      if (addrs.isEmpty()) {
        throw error("gossip.advertise", "not set and the default-route device " + dev + " has no IPv4 address; set it");
      }
      advertise = addrs.get(0);
    }
    int port = port("gossip.port", g.port(), GossipConfig.DEFAULT_PORT);
    List<JoinEntry> join = new ArrayList<>();
    if (g.join() != null) {
      for (int i = 0; i < g.join().size(); i++) {
        String key = "gossip.join[" + i + "]";
        JoinEntry e = parse(key, g.join().get(i), t -> JoinEntry.parse(t, port));
        if (e instanceof JoinEntry.Literal l && l.address().host() instanceof Inet6Address) {
          // Gossip is IPv4 only: advertise (the member address peers gossip to) and the VXLAN
          // underlay are IPv4, and the default bind 0.0.0.0 cannot even send to an IPv6 seed.
          throw error(key, "'" + g.join().get(i) + "' is an IPv6 address; vxmesh gossips over IPv4 only"
              + " (gossip.advertise is IPv4): give the seed's IPv4 address or a DNS name with an A record");
        }
        join.add(e);
      }
    }
    Path keyFile = g.keyFile() == null ? DEFAULT_KEY_FILE : keyFilePath(g.keyFile());
    GossipTimers d = GossipTimers.defaults();
    GossipTimers timers;
    try {
      timers = new GossipTimers(
          millis("gossip.gossip_interval_ms", g.gossipIntervalMs(), d.gossipInterval()),
          positive("gossip.gossip_fanout", g.gossipFanout(), d.gossipFanout()),
          millis("gossip.probe_interval_ms", g.probeIntervalMs(), d.probeInterval()),
          millis("gossip.probe_timeout_ms", g.probeTimeoutMs(), d.probeTimeout()),
          positive("gossip.suspect_probes", g.suspectProbes(), d.suspectProbes()),
          millis("gossip.failure_timeout_ms", g.failureTimeoutMs(), d.failureTimeout()),
          millis("gossip.restart_grace_ms", g.restartGraceMs(), d.restartGrace()),
          seconds("gossip.reap_failed_after_s", g.reapFailedAfterS(), d.failedRetention()),
          d.joinTimeout(), d.rejoinMaxBackoff(), d.leaveWait());
    } catch (IllegalArgumentException e) {
      throw error("gossip", e.getMessage());
    }
    int maxMembers = positive("gossip.max_members", g.maxMembers(), GossipSettings.DEFAULT_MAX_MEMBERS);
    if (maxMembers < 2) {
      throw error("gossip.max_members", maxMembers + " must be at least 2 (this host and one peer)");
    }
    GossipProtocol protocol = GossipProtocol.VXMESH;
    if (g.protocol() != null) {
      protocol = parse("gossip.protocol", g.protocol(), GossipProtocol::parse);
    }
    return new GossipConfig(bind, advertise, port, join, keyFile, timers, maxMembers, protocol);
  }

  private List<NetworkConfig> networks(List<RawConfig.Network> raw, String nodeName, Inet4Address advertise)
      throws ConfigException {
    if (raw == null || raw.isEmpty()) {
      throw error("network", "at least one [[network]] table is required");
    }
    List<NetworkConfig> out = new ArrayList<>();
    Map<Integer, Integer> vnis = new HashMap<>();
    Map<String, Integer> devices = new HashMap<>();
    for (int i = 0; i < raw.size(); i++) {
      String k = "network[" + i + "].";
      RawConfig.Network n = raw.get(i);
      if (n.vni() == null) {
        throw error(k + "vni", "required key is missing");
      }
      if (n.vni() < 1 || n.vni() > MAX_VNI) {
        throw error(k + "vni", n.vni() + " is outside 1.." + MAX_VNI);
      }
      int vni = n.vni().intValue();
      String device = n.device() == null ? "vxmesh" + vni : n.device();
      ifname(k + "device", device);
      int port = port(k + "port", n.port(), NetworkConfig.DEFAULT_PORT);
      IpPrefix vtep = vtepAddress(k + "vtep_address", n.vtepAddress());
      IpPrefix pod = podCidr(k + "pod_cidr", n.podCidr());
      String underlay;
      if (n.underlay() != null) {
        underlay = ifname(k + "underlay", n.underlay());
        List<String> present = host.devices();
        if (!present.contains(underlay)) {
          throw error(k + "underlay", underlay + " is not a device of this host (its devices: " + listed(present) + ")");
        }
      } else {
        underlay = host.deviceHolding(advertise).orElseThrow(() -> error(k + "underlay",
            "not set and no device holds gossip.advertise " + advertise.getHostAddress() + "; set it"));
      }
      MacAddress mac = n.vtepMac() == null ? ConfigLoader.derivedMac(nodeName, vni) : parse(k + "vtep_mac", n.vtepMac(), MacAddress::parse);
      if (mac.isMulticast() || mac.isZero()) {
        throw error(k + "vtep_mac", mac + " is not a unicast MAC (use a locally administered one such as 02:...)");
      }
      int mtu;
      if (n.mtu() != null) {
        mtu = n.mtu();
        if (mtu < 68 || mtu > 65535) {
          throw error(k + "mtu", mtu + " is outside 68..65535");
        }
      } else {
        OptionalInt u = host.mtu(underlay);
        if (u.isEmpty()) {
          throw error(k + "mtu", "not set and the underlay device " + underlay + " does not exist; set mtu or underlay");
        }
        mtu = Math.max(68, u.getAsInt() - NetworkConfig.VXLAN_OVERHEAD);
      }
      Integer prev = vnis.putIfAbsent(vni, i);
      if (prev != null) {
        throw error(k + "vni", vni + " is already used by network[" + prev + "]");
      }
      prev = devices.putIfAbsent(device, i);
      if (prev != null) {
        throw error(k + "device", device + " is already used by network[" + prev + "]");
      }
      out.add(new NetworkConfig(device, vni, port, underlay, vtep, mac, pod, mtu));
    }
    for (int i = 0; i < out.size(); i++) {
      String problem = PodCidrRules.problem(out.get(i).podCidr(), reservedForPods(out, advertise));
      if (problem != null) {
        throw error("network[" + i + "].pod_cidr", problem + "; every host routes a pod CIDR into the VTEP, so it must"
            + " leave the underlay alone (choose a range no host, gateway or VTEP uses, e.g. 10.234.111.0/24)");
      }
    }
    return out;
  }

  /**
   * What this host's pod CIDRs must stay clear of ({@link PodCidrRules}): our underlay IP, the
   * subnets of every underlay device, the default gateway, every network's VTEP prefix.
   */
  private List<PodCidrRules.Reserved> reservedForPods(List<NetworkConfig> networks, Inet4Address advertise) {
    List<PodCidrRules.Reserved> r = new ArrayList<>();
    r.add(PodCidrRules.Reserved.address("this host's underlay IP (gossip.advertise)", advertise));
    for (NetworkConfig n : networks) {
      for (IpPrefix p : host.ipv4Subnets(n.underlay())) {
        r.add(new PodCidrRules.Reserved("the underlay subnet of " + n.underlay(), p.network()));
      }
    }
    host.defaultGateway().ifPresent(g -> r.add(PodCidrRules.Reserved.address("the default gateway", g)));
    for (int i = 0; i < networks.size(); i++) {
      r.add(new PodCidrRules.Reserved("the VTEP prefix of network[" + i + "]", networks.get(i).vtepAddress().network()));
    }
    return r;
  }

  private AgentConfig agent(RawConfig.Agent a, RawConfig.Log log) throws ConfigException {
    String format = log == null || log.format() == null ? "text" : log.format();
    if (!format.equals("text") && !format.equals("json")) {
      throw error("log.format", "'" + format + "' is not one of text, json");
    }
    if (a == null) {
      return new AgentConfig(Duration.ofSeconds(30), "info", format, true);
    }
    int resync = positive("agent.resync_interval_s", a.resyncIntervalS(), 30);
    String level = a.logLevel() == null ? "info" : a.logLevel().toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(level)) {
      throw error("agent.log_level", "'" + a.logLevel() + "' is not one of trace, debug, info, warn, error");
    }
    return new AgentConfig(Duration.ofSeconds(resync), level, format, a.vxlanFilter() == null || a.vxlanFilter());
  }

  private CniConfig cni(RawConfig.Cni c, IpPrefix podCidr) throws ConfigException {
    if (c == null) {
      c = new RawConfig.Cni(null, null, null, null, null);
    }
    Optional<Path> subnetEnv = c.subnetEnv() == null ? Optional.of(CniConfig.DEFAULT_SUBNET_ENV)
        : c.subnetEnv().isEmpty() ? Optional.empty() : Optional.of(absolutePath("cni.subnet_env", c.subnetEnv()));
    IpPrefix network;
    if (c.network() == null) {
      network = CniConfig.defaultNetwork(podCidr);
    } else {
      network = parse("cni.network", c.network(), IpPrefix::parse);
      if (!network.isIpv4()) {
        throw error("cni.network", "'" + c.network() + "' is not IPv4");
      }
      if (!network.isNetwork()) {
        throw error("cni.network", "'" + c.network() + "' has host bits set (did you mean " + network.network() + "?)");
      }
      if (network.prefixLength() > podCidr.prefixLength() || !network.contains(podCidr.address())) {
        throw error("cni.network", network + " does not contain network[0].pod_cidr " + podCidr);
      }
    }
    Optional<Path> conflist = c.conflist() == null || c.conflist().isEmpty() ? Optional.empty()
        : Optional.of(absolutePath("cni.conflist", c.conflist()));
    String bridge = c.bridge() == null ? CniConfig.DEFAULT_BRIDGE : ifname("cni.bridge", c.bridge());
    return new CniConfig(subnetEnv, network, c.ipMasq() != null && c.ipMasq(), conflist, bridge);
  }

  private IpPrefix vtepAddress(String key, String text) throws ConfigException {
    if (text == null) {
      throw error(key, "required key is missing (this host's VTEP IP and the shared prefix, e.g. 179.17.1.21/24)");
    }
    IpPrefix p = parse(key, text, IpPrefix::parse);
    if (!p.isIpv4()) {
      throw error(key, "'" + text + "' is not IPv4");
    }
    if (p.prefixLength() < 31 && (p.isNetwork() || p.address().equals(broadcast(p)))) {
      throw error(key, "'" + text + "' is the network or broadcast address, not a host address");
    }
    return p;
  }

  private IpPrefix podCidr(String key, String text) throws ConfigException {
    if (text == null) {
      throw error(key, "required key is missing (this host's pod network, e.g. 10.234.111.0/24)");
    }
    IpPrefix p = parse(key, text, IpPrefix::parse);
    if (!p.isIpv4()) {
      throw error(key, "'" + text + "' is not IPv4");
    }
    if (!p.isNetwork()) {
      throw error(key, "'" + text + "' has host bits set (did you mean " + p.network() + "?)");
    }
    return p;
  }

  private Path keyFilePath(String text) throws ConfigException {
    if (text.isBlank()) {
      throw error("gossip.key_file", "is empty");
    }
    Path p = Path.of(text);
    Path dir = file.toAbsolutePath().getParent();
    return p.isAbsolute() || dir == null ? p : dir.resolve(p);
  }

  private Path absolutePath(String key, String text) throws ConfigException {
    Path p = Path.of(text);
    if (!p.isAbsolute()) {
      throw error(key, "'" + text + "' is not an absolute path");
    }
    return p;
  }

  private String ifname(String key, String name) throws ConfigException {
    if (name.isEmpty() || name.length() > IFNAMSIZ_MAX) {
      throw error(key, "'" + name + "' must be 1.." + IFNAMSIZ_MAX + " characters (Linux IFNAMSIZ)");
    }
    if (name.equals(".") || name.equals("..") || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
      throw error(key, "'" + name + "' is not a valid device name");
    }
    return name;
  }

  private int port(String key, Integer value, int dflt) throws ConfigException {
    if (value == null) {
      return dflt;
    }
    if (value < 1 || value > 65535) {
      throw error(key, value + " is outside 1..65535");
    }
    return value;
  }

  private int positive(String key, Integer value, int dflt) throws ConfigException {
    if (value == null) {
      return dflt;
    }
    if (value < 1) {
      throw error(key, value + " must be at least 1");
    }
    return value;
  }

  private Duration seconds(String key, Integer value, Duration dflt) throws ConfigException {
    return value == null ? dflt : Duration.ofSeconds(positive(key, value, 1));
  }

  private Duration millis(String key, Integer value, Duration dflt) throws ConfigException {
    return value == null ? dflt : Duration.ofMillis(positive(key, value, 1));
  }

  private <T> T parse(String key, String text, Function<String, T> parser) throws ConfigException {
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      throw error(key, e.getMessage());
    }
  }

  private ConfigException error(String key, String reason) {
    return new ConfigException(file, key, reason);
  }

  /** "a, b, c" for an error message; long lists end in "..." (a host can have hundreds of veths). */
  private static String listed(List<String> items) {
    int max = 8;
    return items.isEmpty() ? "none" : String.join(", ", items.subList(0, Math.min(max, items.size())))
        + (items.size() > max ? ", ..." : "");
  }

  private static InetAddress broadcast(IpPrefix p) {
    byte[] a = p.address().getAddress();
    for (int i = 0; i < a.length; i++) {
      int bits = Math.max(0, Math.min(8, p.prefixLength() - i * 8));
      a[i] |= (byte) (0xff >>> bits);
    }
    return IpAddresses.v4(a);
  }
}
