package io.vxmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.gossip.ClusterKey;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.testing.KeyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code [cni]} table: defaults, every key, and the checks that name the key. */
class CniConfigTest {
  @TempDir Path dir;
  final ConfigLoader loader = new ConfigLoader(FakeHost.master1());
  Path keyFile;

  @BeforeEach
  void key() throws Exception {
    keyFile = dir.resolve("cluster.key");
    KeyFiles.write(keyFile, ClusterKey.generate());
  }

  Config load(String cni) throws Exception {
    Path f = dir.resolve("vxmesh.toml");
    Files.writeString(f, "[gossip]\nkey_file = \"" + keyFile + "\"\n" + ConfigLoaderTest.MINIMAL_NET + cni);
    return loader.load(f);
  }

  ConfigException fails(String cni) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(cni));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e;
  }

  @Test
  void withoutTheTableSubnetEnvGoesToRunVxmeshAndThereIsNoConflist() throws Exception {
    CniConfig c = load("").cni();
    assertEquals(new CniConfig(Optional.of(Path.of("/run/vxmesh/subnet.env")), IpPrefix.parse("10.234.0.0/16"), false,
        Optional.empty(), "cni0"), c);
  }

  @Test
  void everyKeyAsWritten() throws Exception {
    CniConfig c = load("""
        [cni]
        subnet_env = "/run/x/subnet.env"
        network = "10.234.96.0/19"
        ipmasq = true
        conflist = "/etc/cni/net.d/10-vxmesh.conflist"
        bridge = "vxbr0"
        """).cni();
    assertEquals(new CniConfig(Optional.of(Path.of("/run/x/subnet.env")), IpPrefix.parse("10.234.96.0/19"), true,
        Optional.of(Path.of("/etc/cni/net.d/10-vxmesh.conflist")), "vxbr0"), c);
  }

  @Test
  void anEmptySubnetEnvWritesNone() throws Exception {
    assertEquals(Optional.empty(), load("[cni]\nsubnet_env = \"\"\n").cni().subnetEnv());
  }

  @Test
  void aNetworkThatDoesNotHoldThePodCidrIsRefused() {
    assertEquals("cni.network", fails("[cni]\nnetwork = \"10.235.0.0/16\"\n").key());
    assertEquals("cni.network", fails("[cni]\nnetwork = \"10.234.111.0/25\"\n").key());
    assertEquals("cni.network", fails("[cni]\nnetwork = \"10.234.1.0/16\"\n").key());
  }

  @Test
  void relativePathsAndBadBridgeNamesAreRefused() {
    assertEquals("cni.conflist", fails("[cni]\nconflist = \"10-vxmesh.conflist\"\n").key());
    assertEquals("cni.subnet_env", fails("[cni]\nsubnet_env = \"subnet.env\"\n").key());
    assertEquals("cni.bridge", fails("[cni]\nbridge = \"a-bridge-name-too-long\"\n").key());
    assertTrue(fails("[cni]\nconflist_dir = \"/x\"\n").getMessage().contains("unknown key"));
  }

  @Test
  void theRenderedConfigLoadsBackTheSame() throws Exception {
    Config c = load("[cni]\nsubnet_env = \"\"\nconflist = \"/etc/cni/net.d/10-vxmesh.conflist\"\n");
    Path f = dir.resolve("rendered.toml");
    Files.writeString(f, ConfigRenderer.render(c));
    assertEquals(c.cni(), loader.load(f).cni());
  }
}
