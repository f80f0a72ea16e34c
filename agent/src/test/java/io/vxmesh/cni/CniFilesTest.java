package io.vxmesh.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.config.CniConfig;
import io.vxmesh.config.NetworkConfig;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact text handed to CNI plugins, and how it is written. */
class CniFilesTest {
  static final NetworkConfig MASTER1 = new NetworkConfig("vxlan-test", 10001, 4899, "enp0s5",
      IpPrefix.parse("179.17.1.21/24"), MacAddress.parse("c2:6a:9b:e5:39:8d"), IpPrefix.parse("10.234.111.0/24"), 1450);

  @TempDir Path dir;

  static CniConfig cni(Path subnetEnv, Path conflist, boolean ipMasq) {
    return new CniConfig(Optional.ofNullable(subnetEnv), IpPrefix.parse("10.234.0.0/16"), ipMasq,
        Optional.ofNullable(conflist), "cni0");
  }

  @Test
  void subnetEnvIsWhatFlanneldWrites() {
    assertEquals("""
        FLANNEL_NETWORK=10.234.0.0/16
        FLANNEL_SUBNET=10.234.111.1/24
        FLANNEL_MTU=1450
        FLANNEL_IPMASQ=false
        """, CniFiles.subnetEnv(cni(null, null, false), MASTER1));
    assertTrue(CniFiles.subnetEnv(cni(null, null, true), MASTER1).endsWith("FLANNEL_IPMASQ=true\n"));
  }

  @Test
  void conflistIsTheBridgePluginWithHostLocalOverThePodCidr() {
    assertEquals("""
        {
          "cniVersion": "1.0.0",
          "name": "vxmesh",
          "plugins": [
            {
              "type": "bridge",
              "bridge": "cni0",
              "isGateway": true,
              "ipMasq": false,
              "mtu": 1450,
              "ipam": {
                "type": "host-local",
                "ranges": [[{"subnet": "10.234.111.0/24", "gateway": "10.234.111.1"}]],
                "routes": [{"dst": "0.0.0.0/0"}]
              }
            }
          ]
        }
        """, CniFiles.conflist(cni(null, null, false), MASTER1));
  }

  @Test
  void theGatewayIsTheFirstAddressOfThePodCidr() {
    assertEquals(IpAddresses.parseV4("10.234.118.1"), CniFiles.gateway(IpPrefix.parse("10.234.118.0/24")));
    assertEquals(IpAddresses.parseV4("10.234.120.1"), CniFiles.gateway(IpPrefix.parse("10.234.120.0/22")));
  }

  @Test
  void onlyTheConfiguredFilesAreWritten() {
    Path env = dir.resolve("subnet.env");
    Path list = dir.resolve("net.d/10-vxmesh.conflist");
    assertEquals(List.of(env), List.copyOf(CniHandoff.files(cni(env, null, false), MASTER1).keySet()));
    assertEquals(List.of(env, list), List.copyOf(CniHandoff.files(cni(env, list, false), MASTER1).keySet()));
    assertEquals(Map.of(), CniHandoff.files(cni(null, null, false), MASTER1));
  }

  @Test
  void writingCreatesTheDirectoryReplacesAtomicallyAndLeavesNoTemporaryFile() throws Exception {
    Path env = dir.resolve("run/vxmesh/subnet.env");
    assertTrue(CniHandoff.writeIfChanged(env, "A=1\n"));
    assertEquals("A=1\n", Files.readString(env));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
    assertFalse(CniHandoff.writeIfChanged(env, "A=1\n"), "the same text is not written again");
    assertTrue(CniHandoff.writeIfChanged(env, "A=2\n"));
    assertEquals("A=2\n", Files.readString(env));
    try (Stream<Path> s = Files.list(env.getParent())) {
      assertEquals(List.of(env), s.toList(), "no temporary file left behind");
    }
  }

  @Test
  void openWritesBothFilesAndCloseLeavesThem() throws Exception {
    Path env = dir.resolve("subnet.env");
    Path list = dir.resolve("net.d/10-vxmesh.conflist");
    CniConfig c = cni(env, list, false);
    try (CniHandoff h = CniHandoff.open(c, MASTER1)) {
      assertHoldsTheFiles(c, env, list);
      Files.delete(env);
      Files.writeString(list, "{}");
      h.check();
      assertHoldsTheFiles(c, env, list);
    }
    assertTrue(Files.exists(env) && Files.exists(list), "files stay after close, as flanneld leaves subnet.env");
  }

  /** After open, and after the periodic check has put back a removed and an edited file. */
  static void assertHoldsTheFiles(CniConfig c, Path env, Path list) throws Exception {
    assertEquals(CniFiles.subnetEnv(c, MASTER1), Files.readString(env));
    assertEquals(CniFiles.conflist(c, MASTER1), Files.readString(list));
  }
}
