package io.vxmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.gossip.ClusterKey;
import io.vxmesh.gossip.Keyring;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.JoinEntry;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.testing.KeyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing, defaults resolution against a described host, and validation messages. */
class ConfigLoaderTest {
  @TempDir Path dir;
  Path keyFile;
  final ConfigLoader loader = new ConfigLoader(FakeHost.master1());

  @BeforeEach
  void key() throws IOException {
    keyFile = dir.resolve("cluster.key");
    KeyFiles.write(keyFile, ClusterKey.generate());
  }

  /** The issue's example, with the key file in the temp dir. */
  String full() {
    return """
        node_name = "master1"
        [gossip]
        advertise = "10.211.55.5"
        port = 7947
        join = ["10.211.55.6:7947"]
        key_file = "%s"
        [api]
        socket = "/run/vxmesh/vxmesh.sock"
        [[network]]
        device = "vxlan-test"
        vni = 10001
        port = 4899
        underlay = "enp0s5"
        vtep_address = "179.17.1.21/24"
        vtep_mac = "c2:6a:9b:e5:39:8d"
        pod_cidr = "10.234.111.0/24"
        mtu = 1450
        """.formatted(keyFile);
  }

  static final String MINIMAL_NET = """
      [[network]]
      vni = 10001
      vtep_address = "179.17.1.21/24"
      pod_cidr = "10.234.111.0/24"
      """;

  Config load(String text) throws Exception {
    Path f = dir.resolve("vxmesh.toml");
    Files.writeString(f, text);
    return loader.load(f);
  }

  ConfigException fails(String text) throws IOException {
    Path f = dir.resolve("vxmesh.toml");
    Files.writeString(f, text);
    ConfigException e = assertThrows(ConfigException.class, () -> loader.load(f));
    assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e;
  }

  String keyLine() {
    return "[gossip]\nkey_file = \"" + keyFile + "\"\n";
  }

  @Test
  void theIssueExampleLoadsAsWritten() throws Exception {
    Config c = load(full());
    assertEquals("master1", c.nodeName());
    assertEquals(IpAddresses.parseV4("10.211.55.5"), c.gossip().advertise());
    assertEquals(7947, c.gossip().port());
    assertEquals(List.of(new JoinEntry.Literal(new HostPort(IpAddresses.parseV4("10.211.55.6"), 7947))), c.gossip().join());
    assertEquals(Path.of("/run/vxmesh/vxmesh.sock"), c.api().socket());
    assertEquals(Keyring.of(ClusterKey.read(keyFile)), c.keyring());
    VtepSpec spec = c.vtepSpecs().get(0);
    assertEquals(new VtepSpec("vxlan-test", 10001, 4899, IpAddresses.parseV4("10.211.55.5"), "enp0s5",
        MacAddress.parse("c2:6a:9b:e5:39:8d"), IpPrefix.parse("179.17.1.21/24"), 1450), spec);
    assertEquals(IpPrefix.parse("10.234.111.0/24"), c.networks().get(0).podCidr());
  }

  @Test
  void defaultsComeFromTheHostAndTheDocumentedValues() throws Exception {
    Config c = load(keyLine() + MINIMAL_NET);
    assertEquals("master1", c.nodeName());
    assertEquals(IpAddresses.parseV4("10.211.55.5"), c.gossip().advertise(), "first IPv4 of the default-route device");
    assertEquals(IpAddresses.parse("0.0.0.0"), c.gossip().bind());
    assertEquals(7947, c.gossip().port());
    assertEquals(List.of(), c.gossip().join());
    assertEquals(Duration.ofMillis(100), c.gossip().timers().gossipInterval());
    assertEquals(4, c.gossip().timers().gossipFanout());
    assertEquals(io.vxmesh.gossip.GossipProtocol.VXMESH, c.gossip().protocol(), "vxmesh's SWIM + Lifeguard by default");
    assertEquals(Duration.ofMillis(200), c.gossip().timers().probeInterval());
    assertEquals(Duration.ofMillis(300), c.gossip().timers().probeTimeout());
    assertEquals(2, c.gossip().timers().suspectProbes());
    assertEquals(Duration.ofSeconds(1), c.gossip().timers().failureTimeout());
    assertEquals(Duration.ofSeconds(15), c.gossip().timers().restartGrace());
    assertEquals(Duration.ofHours(72), c.gossip().timers().failedRetention(), "reap_failed_after_s, like consul");
    assertEquals(ApiConfig.DEFAULT_SOCKET, c.api().socket());
    assertEquals(Duration.ofSeconds(30), c.agent().resyncInterval());
    assertEquals("info", c.agent().logLevel());
    assertEquals("text", c.agent().logFormat());
    assertTrue(c.agent().vxlanFilter(), "VXLAN only from members is on by default");
    NetworkConfig n = c.networks().get(0);
    assertEquals("vxmesh10001", n.device());
    assertEquals(4789, n.port());
    assertEquals("enp0s5", n.underlay());
    assertEquals(1450, n.mtu(), "underlay MTU - 50");
    assertEquals(ConfigLoader.derivedMac("master1", 10001), n.vtepMac());
  }

  @Test
  void derivedMacIsStableUnicastLocallyAdministeredAndDiffersPerNodeAndVni() {
    MacAddress a = ConfigLoader.derivedMac("master1", 10001);
    assertEquals(a, ConfigLoader.derivedMac("master1", 10001));
    assertNotEquals(a, ConfigLoader.derivedMac("master2", 10001));
    assertNotEquals(a, ConfigLoader.derivedMac("master1", 10002));
    assertEquals(0x02, a.bytes()[0] & 0x03, "locally administered, unicast: " + a);
  }

  @Test
  void relativeKeyFileResolvesAgainstTheConfigDirectory() throws Exception {
    Config c = load("[gossip]\nkey_file = \"cluster.key\"\n" + MINIMAL_NET);
    assertEquals(keyFile, c.gossip().keyFile());
  }

  @Test
  void joinAcceptsAddressesWithoutPortAndDnsNames() throws Exception {
    Config c = load(keyLine() + "join = [\"10.0.0.2\", \"seeds.example.com:8000\", \"master2\"]\n" + MINIMAL_NET);
    assertEquals(List.of(new JoinEntry.Literal(new HostPort(IpAddresses.parseV4("10.0.0.2"), 7947)),
        new JoinEntry.Name("seeds.example.com", 8000), new JoinEntry.Name("master2", 7947)), c.gossip().join());
  }

  @Test
  void joinRefusesIpv6BecauseGossipIsIpv4Only() throws Exception {
    ConfigException e = fails(keyLine() + "join = [\"10.0.0.2\", \"[2001:db8::1]:7946\"]\n" + MINIMAL_NET);
    assertTrue(e.getMessage().endsWith("gossip.join[1]: '[2001:db8::1]:7946' is an IPv6 address; vxmesh gossips over"
        + " IPv4 only (gossip.advertise is IPv4): give the seed's IPv4 address or a DNS name with an A record"), e.getMessage());
  }

  @Test
  void protocolChoosesAtomixOrVxmeshAndNamesTheChoicesOtherwise() throws Exception {
    assertEquals(io.vxmesh.gossip.GossipProtocol.ATOMIX, load(keyLine() + "protocol = \"atomix\"\n" + MINIMAL_NET).gossip().protocol());
    assertEquals(io.vxmesh.gossip.GossipProtocol.VXMESH, load(keyLine() + "protocol = \"vxmesh\"\n" + MINIMAL_NET).gossip().protocol());
    ConfigException e = fails(keyLine() + "protocol = \"memberlist\"\n" + MINIMAL_NET);
    assertTrue(e.getMessage().endsWith("gossip.protocol: unknown protocol 'memberlist' (expected \"vxmesh\" or \"atomix\")"),
        e.getMessage());
  }

  @Test
  void aMalformedJoinEntryNamesItsIndexAndTheReason() throws Exception {
    ConfigException e = fails(keyLine() + "join = [\"seeds_1.example:7947\"]\n" + MINIMAL_NET);
    assertTrue(e.getMessage().contains("gossip.join[0]: 'seeds_1.example' is not a host name"), e.getMessage());
    e = fails(keyLine() + "join = [\"10.0.0.300\"]\n" + MINIMAL_NET);
    assertTrue(e.getMessage().endsWith("gossip.join[0]: '10.0.0.300' is not an IPv4 address"), e.getMessage());
  }

  @Test
  void vxlanFilterCanBeTurnedOffAndMustBeABoolean() throws Exception {
    assertFalse(load(keyLine() + MINIMAL_NET + "[agent]\nvxlan_filter = false\n").agent().vxlanFilter());
    assertTrue(load(keyLine() + MINIMAL_NET + "[agent]\nresync_interval_s = 10\n").agent().vxlanFilter());
    assertEquals("agent.vxlan_filter", fails(keyLine() + MINIMAL_NET + "[agent]\nvxlan_filter = \"maybe\"\n").key());
  }

  @Test
  void reapFailedAfterIsSecondsAndPositive() throws Exception {
    Config c = load(keyLine() + "reap_failed_after_s = 600\n" + MINIMAL_NET);
    assertEquals(Duration.ofMinutes(10), c.gossip().timers().failedRetention());
    ConfigException e = fails(keyLine() + "reap_failed_after_s = 0\n" + MINIMAL_NET);
    assertTrue(e.getMessage().contains("gossip.reap_failed_after_s: 0 must be at least 1"), e.getMessage());
  }

  @Test
  void fileMissing() {
    Path f = dir.resolve("nope.toml");
    ConfigException e = assertThrows(ConfigException.class, () -> loader.load(f));
    assertEquals(f + ": file does not exist", e.getMessage());
  }

  @Test
  void unparsableTomlNamesTheLine() throws IOException {
    ConfigException e = fails(keyLine() + "port = = 3\n" + MINIMAL_NET);
    assertTrue(e.getMessage().contains(": line 3: not valid TOML"), e.getMessage());
  }

  @Test
  void unknownKeyIsNamedWithItsPath() throws IOException {
    ConfigException e = fails(keyLine() + MINIMAL_NET + "vtep_macc = \"c2:6a:9b:e5:39:8d\"\n");
    assertEquals("network[0].vtep_macc", e.key(), e.getMessage());
    assertTrue(e.reason().startsWith("unknown key"), e.getMessage());
    assertTrue(e.reason().contains("vtep_mac"), "lists the known keys: " + e.getMessage());
    assertEquals("bogus", fails("bogus = 1\n" + keyLine() + MINIMAL_NET).key());
    assertEquals("gossip.advertize", fails(keyLine() + "advertize = \"1.2.3.4\"\n" + MINIMAL_NET).key());
  }

  @Test
  void wrongTypeIsNamed() throws IOException {
    ConfigException e = fails(keyLine() + MINIMAL_NET + "mtu = \"big\"\n");
    assertEquals("network[0].mtu", e.key(), e.getMessage());
    assertEquals("network[0].mtu", fails(keyLine() + MINIMAL_NET + "mtu = 1450.5\n").key());
    assertEquals("gossip.join[0]", fails(keyLine() + "join = [1]\n" + MINIMAL_NET).key());
    assertEquals("network[0].vni", fails(keyLine() + "[[network]]\nvni = \"10001\"\nvtep_address = \"1.1.1.1/24\"\npod_cidr = \"10.0.0.0/24\"\n").key());
  }

  @Test
  void missingRequiredKeys() throws IOException {
    assertEquals("network", fails(keyLine()).key());
    assertEquals("network[0].vni", fails(keyLine() + "[[network]]\nvtep_address = \"1.1.1.1/24\"\npod_cidr = \"10.0.0.0/24\"\n").key());
    assertEquals("network[0].vtep_address", fails(keyLine() + "[[network]]\nvni = 1\npod_cidr = \"10.0.0.0/24\"\n").key());
    assertEquals("network[0].pod_cidr", fails(keyLine() + "[[network]]\nvni = 1\nvtep_address = \"1.1.1.1/24\"\n").key());
  }

  @Test
  void malformedValues() throws IOException {
    assertEquals("gossip.advertise", fails(keyLine() + "advertise = \"10.211.55\"\n" + MINIMAL_NET).key());
    assertEquals("gossip.join[0]", fails(keyLine() + "join = [\"10.0.0.2:99999\"]\n" + MINIMAL_NET).key());
    assertEquals("gossip.join[1]", fails(keyLine() + "join = [\"10.0.0.2\", \"seed_1.example\"]\n" + MINIMAL_NET).key());
    assertEquals("gossip.port", fails(keyLine() + "port = 70000\n" + MINIMAL_NET).key());
    assertEquals("gossip.probe_interval_ms", fails(keyLine() + "probe_interval_ms = 0\n" + MINIMAL_NET).key());
    assertEquals("network[0].vtep_mac", fails(keyLine() + MINIMAL_NET + "vtep_mac = \"c2:6a:9b:e5:39\"\n").key());
    assertEquals("network[0].vtep_mac", fails(keyLine() + MINIMAL_NET + "vtep_mac = \"01:00:5e:00:00:01\"\n").key());
    assertEquals("network[0].vtep_address", fails(keyLine() + "[[network]]\nvni = 1\nvtep_address = \"179.17.1.21\"\npod_cidr = \"10.0.0.0/24\"\n").key());
    assertEquals("network[0].vtep_address", fails(keyLine() + "[[network]]\nvni = 1\nvtep_address = \"179.17.1.0/24\"\npod_cidr = \"10.0.0.0/24\"\n").key());
    assertEquals("network[0].port", fails(keyLine() + MINIMAL_NET + "port = 0\n").key());
    assertEquals("network[0].mtu", fails(keyLine() + MINIMAL_NET + "mtu = 40\n").key());
    assertEquals("agent.log_level", fails(keyLine() + MINIMAL_NET + "[agent]\nlog_level = \"loud\"\n").key());
    assertEquals("log.format", fails(keyLine() + MINIMAL_NET + "[log]\nformat = \"xml\"\n").key());
    assertEquals("log.formt", fails(keyLine() + MINIMAL_NET + "[log]\nformt = \"json\"\n").key());
    assertEquals("api.socket", fails(keyLine() + "[api]\nsocket = \"relative.sock\"\n" + MINIMAL_NET).key());
    assertEquals("node_name", fails("node_name = \"has space\"\n" + keyLine() + MINIMAL_NET).key());
  }

  @Test
  void podCidrWithHostBitsSuggestsTheNetwork() throws IOException {
    ConfigException e = fails(keyLine() + "[[network]]\nvni = 1\nvtep_address = \"1.1.1.1/24\"\npod_cidr = \"10.234.111.5/24\"\n");
    assertEquals("network[0].pod_cidr", e.key());
    assertTrue(e.reason().contains("host bits set") && e.reason().contains("10.234.111.0/24"), e.getMessage());
  }

  /** The reason for {@code pod_cidr = cidr} on master1 (underlay 10.211.55.5/24, gateway .1), which must fail. */
  String podCidrRefusal(String cidr) throws IOException {
    ConfigException e = fails(keyLine() + "[[network]]\nvni = 1\nvtep_address = \"179.17.1.21/24\"\npod_cidr = \"" + cidr + "\"\n");
    assertEquals("network[0].pod_cidr", e.key(), e.getMessage());
    assertTrue(e.reason().endsWith("so it must leave the underlay alone (choose a range no host, gateway or VTEP uses,"
        + " e.g. 10.234.111.0/24)"), e.getMessage());
    return e.reason();
  }

  /**
   * Issue 12: a pod CIDR over the underlay (a /32 on another host's IP, 10.211.55.0/25, even
   * 0.0.0.0/0) was accepted and diverted gossip and pods' traffic into the VTEP.
   */
  @Test
  void podCidrOverTheUnderlayOrAbsurdlySizedIsRefused() throws Exception {
    assertTrue(podCidrRefusal("0.0.0.0/0").startsWith("/0 is wider than /8, the widest pod CIDR allowed (it would take every route)"));
    assertTrue(podCidrRefusal("10.0.0.0/7").startsWith("/7 is wider than /8"));
    assertTrue(podCidrRefusal("10.234.111.0/31").startsWith("/31 is narrower than /30"));
    assertTrue(podCidrRefusal("10.211.55.0/25").startsWith("10.211.55.0/25 contains this host's underlay IP (gossip.advertise) 10.211.55.5"));
    assertTrue(podCidrRefusal("10.211.55.128/25").startsWith("10.211.55.128/25 overlaps the underlay subnet of enp0s5 10.211.55.0/24"));
    assertTrue(podCidrRefusal("10.211.0.0/16").startsWith("10.211.0.0/16 contains this host's underlay IP"));
    assertTrue(podCidrRefusal("179.17.0.0/16").startsWith("179.17.0.0/16 overlaps the VTEP prefix of network[0] 179.17.1.0/24"));
    assertTrue(podCidrRefusal("127.0.0.0/24").startsWith("127.0.0.0/24 overlaps loopback 127.0.0.0/8"));
    assertTrue(podCidrRefusal("224.1.0.0/16").startsWith("224.1.0.0/16 overlaps multicast/reserved 224.0.0.0/3"));
    // Near misses load: /8 and /30, right next to the underlay.
    assertEquals(IpPrefix.parse("11.0.0.0/8"), load(keyLine() + MINIMAL_NET.replace("10.234.111.0/24", "11.0.0.0/8")).networks().get(0).podCidr());
    assertEquals(IpPrefix.parse("10.211.56.0/30"),
        load(keyLine() + MINIMAL_NET.replace("10.234.111.0/24", "10.211.56.0/30")).networks().get(0).podCidr());
  }

  @Test
  void vniOutOfRange() throws IOException {
    ConfigException e = fails(keyLine() + "[[network]]\nvni = 16777216\nvtep_address = \"1.1.1.1/24\"\npod_cidr = \"10.0.0.0/24\"\n");
    assertEquals("network[0].vni", e.key());
    assertTrue(e.reason().contains("1..16777215"), e.getMessage());
    assertEquals("network[0].vni", fails(keyLine() + "[[network]]\nvni = 0\nvtep_address = \"1.1.1.1/24\"\npod_cidr = \"10.0.0.0/24\"\n").key());
  }

  @Test
  void deviceNameLongerThanIfnamsiz() throws IOException {
    ConfigException e = fails(keyLine() + MINIMAL_NET + "device = \"vxlan-much-too-long\"\n");
    assertEquals("network[0].device", e.key());
    assertEquals("network[0].underlay", fails(keyLine() + MINIMAL_NET + "underlay = \"a/b\"\n").key());
  }

  @Test
  void twoNetworksSharingVniOrDevice() throws IOException {
    String second = """
        [[network]]
        vni = %d
        device = "%s"
        vtep_address = "179.17.2.21/24"
        pod_cidr = "10.234.112.0/24"
        """;
    ConfigException vni = fails(keyLine() + MINIMAL_NET + second.formatted(10001, "other"));
    assertEquals("network[1].vni", vni.key());
    assertTrue(vni.reason().contains("network[0]"), vni.getMessage());
    ConfigException dev = fails(keyLine() + MINIMAL_NET + second.formatted(10002, "vxmesh10001"));
    assertEquals("network[1].device", dev.key());
  }

  @Test
  void missingOrShortKeyFile() throws IOException {
    ConfigException missing = fails("[gossip]\nkey_file = \"absent.key\"\n" + MINIMAL_NET);
    assertEquals("gossip.key_file", missing.key());
    assertTrue(missing.reason().contains("does not exist"), missing.getMessage());
    Files.writeString(keyFile, "c2hvcnQ=\n");
    ConfigException shortKey = fails(keyLine() + MINIMAL_NET);
    assertEquals("gossip.key_file", shortKey.key());
    assertTrue(shortKey.reason().contains("5 bytes, want 32"), shortKey.getMessage());
    assertTrue(shortKey.reason().contains("vxmesh keygen") && shortKey.reason().contains("every host"), shortKey.getMessage());
  }

  @Test
  void aKeyFileWithSeveralKeysIsAKeyringWhoseFirstKeySigns() throws Exception {
    ClusterKey next = ClusterKey.generate();
    ClusterKey old = ClusterKey.read(keyFile);
    Files.writeString(keyFile, "# rotating, step 2\n" + next.toBase64() + "\n" + old.toBase64() + "\n");
    Config c = load(keyLine() + MINIMAL_NET);
    assertEquals(Keyring.of(next, old), c.keyring());
    assertEquals(Keyring.of(next, old), ConfigLoader.readKeyring(c), "what a reload reads");
  }

  @Test
  void aReloadOfABadKeyFileNamesFileKeyAndLine() throws Exception {
    Config c = load(keyLine() + MINIMAL_NET);
    Files.writeString(keyFile, ClusterKey.generate().toBase64() + "\nc2hvcnQ=\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.readKeyring(c));
    assertEquals("gossip.key_file", e.key());
    assertTrue(e.reason().startsWith(keyFile + " is not a cluster key (line 2: 5 bytes, want 32)"), e.getMessage());
    Files.delete(keyFile);
    assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.readKeyring(c)).reason().contains("does not exist"));
  }

  @Test
  void aPlaceholderLeftInAnyStringValueIsNamedWithItsKey() throws IOException {
    String pod = "<this host's pod network, e.g. 10.234.111.0/24>";
    Path f = dir.resolve("vxmesh.toml");
    ConfigException e = fails(keyLine() + MINIMAL_NET.replace("10.234.111.0/24", pod));
    assertEquals(f + ": network[0].pod_cidr: placeholder not replaced: " + pod, e.getMessage());
    assertEquals("gossip.advertise", fails(keyLine() + "advertise = \"<this host's underlay IPv4>\"\n" + MINIMAL_NET).key());
    assertEquals("gossip.join[1]", fails(keyLine() + "join = [\"10.0.0.2\", \"<a seed host>:7947\"]\n" + MINIMAL_NET).key());
    assertEquals("node_name", fails("node_name = \"<name>\"\n" + keyLine() + MINIMAL_NET).key());
    assertEquals("network[0].vtep_address", fails(keyLine() + MINIMAL_NET.replace("179.17.1.21/24", "<VTEP ip/len>")).key());
    assertEquals("gossip.key_file", fails("[gossip]\nkey_file = \"<path>\"\n" + MINIMAL_NET).key(), "before the key file is read");
    assertEquals("network[0].vtep_address", fails(keyLine() + MINIMAL_NET.replace("179.17.1.21/24", "<>")).key(), "empty placeholder");
    // Not placeholders: only a whole value in angle brackets is one.
    ConfigException half = fails(keyLine() + MINIMAL_NET + "vtep_mac = \"<c2:6a:9b:e5:39:8d\"\n");
    assertEquals("network[0].vtep_mac", half.key());
    assertTrue(!half.reason().contains("placeholder"), half.getMessage());
  }

  @Test
  void anExplicitAdvertiseMustBeAnAddressOfThisHost() throws IOException {
    Path f = dir.resolve("vxmesh.toml");
    ConfigException e = fails(keyLine() + "advertise = \"10.211.55.6\"\n" + MINIMAL_NET);
    assertEquals(f + ": gossip.advertise: 10.211.55.6 is not an address of this host (its addresses: 10.211.55.5, 10.211.55.99)",
        e.getMessage());
    ConfigException bare = fails(keyLine() + "advertise = \"10.0.0.1\"\n" + MINIMAL_NET.replace("[[network]]\n", "[[network]]\nmtu = 1400\n"));
    assertEquals("gossip.advertise", bare.key(), "even when nothing else needs the host: " + bare.getMessage());
  }

  @Test
  void anExplicitUnderlayMustBeADeviceOfThisHost() throws IOException {
    Path f = dir.resolve("vxmesh.toml");
    ConfigException e = fails(keyLine() + MINIMAL_NET + "underlay = \"eth7\"\nmtu = 1400\n");
    assertEquals(f + ": network[0].underlay: eth7 is not a device of this host (its devices: enp0s5)", e.getMessage());
    assertEquals("network[0].underlay", fails(keyLine() + MINIMAL_NET + "underlay = \"eth7\"\n").key(), "named before its MTU");
  }

  @Test
  void theWildcardBindAndAnAdvertiseOfThisHostStillLoad() throws Exception {
    Config c = load(keyLine() + "bind = \"0.0.0.0\"\nadvertise = \"10.211.55.99\"\n" + MINIMAL_NET + "underlay = \"enp0s5\"\n");
    assertEquals(IpAddresses.parse("0.0.0.0"), c.gossip().bind());
    assertEquals(IpAddresses.parseV4("10.211.55.99"), c.gossip().advertise());
  }

  @Test
  void hostWithoutDefaultRouteNeedsAdvertise() throws IOException {
    Path f = dir.resolve("vxmesh.toml");
    Files.writeString(f, keyLine() + MINIMAL_NET);
    ConfigLoader isolated = new ConfigLoader(new FakeHost("h", null, List.of(), 0));
    ConfigException e = assertThrows(ConfigException.class, () -> isolated.load(f));
    assertEquals("gossip.advertise", e.key());
  }

  static String shipped() throws IOException {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("config/vxmesh.toml"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new AssertionError("config/vxmesh.toml not found");
    }
    return Files.readString(p.resolve("config/vxmesh.toml"));
  }

  /** What an operator puts in for each "<...>" placeholder of the shipped file. */
  static final Map<String, String> PLACEHOLDERS = Map.of("vtep_address", "179.17.1.21/24", "pod_cidr", "10.234.111.0/24");

  /** The shipped file, its key_file in the temp dir and the given placeholders filled in. */
  String shippedWith(Set<String> filled) throws IOException {
    String text = shipped().replace("/etc/vxmesh/cluster.key", keyFile.toString());
    for (String key : filled) {
      String before = text;
      text = text.replaceFirst("(?m)^" + key + " = \"<[^\"\n]+>\"$", key + " = \"" + PLACEHOLDERS.get(key) + "\"");
      assertNotEquals(before, text, "the shipped file has a placeholder for " + key);
    }
    return text;
  }

  String shippedFilledIn() throws IOException {
    String text = shippedWith(PLACEHOLDERS.keySet());
    assertTrue(text.lines().noneMatch(l -> !l.startsWith("#") && l.contains("\"<")), "no other placeholder:\n" + text);
    return text;
  }

  @Test
  void theShippedConfigFilledInIsTheMinimalConfig() throws Exception {
    assertEquals(load(keyLine() + MINIMAL_NET), load(shippedFilledIn()),
        "the shipped file sets only vni, defaults and the placeholders");
  }

  @Test
  void theShippedConfigIsRejectedWhileAPlaceholderIsLeft() throws Exception {
    assertEquals("network[0].pod_cidr", fails(shippedWith(Set.of("vtep_address"))).key());
    assertEquals("network[0].vtep_address", fails(shippedWith(Set.of("pod_cidr"))).key());
  }

  /** Keys whose default is detected on the host: the shipped file shows an example, not the default. */
  static final Set<String> DETECTED = Set.of("node_name", "advertise", "underlay", "vtep_mac", "mtu");

  @Test
  void everyCommentedKeyInTheShippedConfigIsRealAndShowsItsDefault() throws Exception {
    String text = shippedFilledIn();
    String detected = String.join("|", DETECTED);
    String defaults = text.replaceAll("(?m)^# (?!(?:" + detected + ") )([a-z_]+ = .*)$", "$1");
    assertNotEquals(text, defaults, "there are commented keys");
    assertEquals(load(text), load(defaults), "uncommenting the documented defaults changes nothing");

    String examples = text.replaceAll("(?m)^# ([a-z_]+ = .*)$", "$1");
    for (String key : DETECTED) {
      assertTrue(examples.lines().anyMatch(l -> l.startsWith(key + " = ")), "shows an example of " + key);
    }
    // Every example is a known key with a valid value, on a host that has the example's address and device.
    Path f = dir.resolve("vxmesh.toml");
    Files.writeString(f, examples);
    new ConfigLoader(new FakeHost("h1", "eth0", List.of("192.0.2.21"), 1500)).load(f);
  }

  @Test
  void theRenderedConfigLoadsBackUnchanged() throws Exception {
    Config c = load(full().replace("join = [\"10.211.55.6:7947\"]", "join = [\"10.211.55.6:7947\", \"seeds.example:7000\"]"));
    Config back = load(ConfigRenderer.render(c));
    assertEquals(c, back);
    Config withMetrics = load(full() + "[metrics]\nlisten = \"127.0.0.1:9947\"\n");
    assertTrue(ConfigRenderer.render(withMetrics).contains("\n[metrics]\nlisten = \"127.0.0.1:9947\"\n"), ConfigRenderer.render(withMetrics));
    assertEquals(withMetrics, load(ConfigRenderer.render(withMetrics)));
    assertTrue(ConfigRenderer.render(c).contains("\n[metrics]\nlisten = \"\"\n"), "off shows as empty");
    assertTrue(!ConfigRenderer.render(c).contains(c.keyring().primary().toBase64()), "never prints the key");
  }

  @Test
  void metricsAreOffByDefaultAndListenOnTheGivenAddress() throws Exception {
    assertEquals(MetricsConfig.off(), load(keyLine() + MINIMAL_NET).metrics(), "no [metrics] table: off");
    assertEquals(MetricsConfig.off(), load(keyLine() + MINIMAL_NET + "[metrics]\nlisten = \"\"\n").metrics(), "empty: off");
    assertEquals(new MetricsConfig(java.util.Optional.of(HostPort.parse("127.0.0.1:9947"))),
        load(keyLine() + MINIMAL_NET + "[metrics]\nlisten = \"127.0.0.1:9947\"\n").metrics());
    assertEquals(HostPort.parse("10.211.55.5:9100"),
        load(keyLine() + MINIMAL_NET + "[metrics]\nlisten = \"10.211.55.5:9100\"\n").metrics().listen().orElseThrow(),
        "an address of this host");
    assertEquals(HostPort.parse("0.0.0.0:9947"),
        load(keyLine() + MINIMAL_NET + "[metrics]\nlisten = \"0.0.0.0:9947\"\n").metrics().listen().orElseThrow());
  }

  @Test
  void aBadMetricsListenIsNamedWithItsReason() throws IOException {
    Path f = dir.resolve("vxmesh.toml");
    String base = keyLine() + MINIMAL_NET + "[metrics]\n";
    assertEquals(f + ": metrics.listen: '127.0.0.1' is not host:port", fails(base + "listen = \"127.0.0.1\"\n").getMessage());
    assertEquals(f + ": metrics.listen: '127.0.0.1:99999' has a bad port (want 1..65535)",
        fails(base + "listen = \"127.0.0.1:99999\"\n").getMessage());
    assertEquals("metrics.listen", fails(base + "listen = \"localhost:9947\"\n").key(), "a name, not an IP");
    ConfigException notMine = fails(base + "listen = \"192.0.2.1:9947\"\n");
    assertEquals("metrics.listen", notMine.key());
    assertTrue(notMine.reason().startsWith("192.0.2.1 is not an address of this host"), notMine.getMessage());
    assertEquals("metrics.bogus", fails(base + "bogus = 1\n").key(), "unknown keys in [metrics] too");
    assertEquals("metrics.listen", fails(base + "listen = 9947\n").key(), "a number is the wrong type");
  }
}
