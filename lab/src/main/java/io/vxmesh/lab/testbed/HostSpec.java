package io.vxmesh.lab.testbed;

import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.net.Inet4Address;

/**
 * The addresses of one emulated host, independent of namespaces. Hosts 0 and 1 are exactly the
 * seed walkthrough's master1 and node1; further hosts extend the same pattern deterministically,
 * so a test, a benchmark and the demo all see the same addresses for host i:
 * <pre>
 * i  name     underlay        VTEP                  VTEP MAC            pod CIDR
 * 0  master1  10.211.55.5/24  179.17.1.21/24        c2:6a:9b:e5:39:8d   10.234.111.0/24
 * 1  node1    10.211.55.6/24  179.17.1.31/24        7a:3a:fe:45:a3:76   10.234.118.0/24
 * i  node{i}  10.211.55.(5+i) 179.17.1.(21+10i)/24  02:76:78:62:00:{i}  10.234.(118+i).0/24
 * </pre>
 * VTEP host numbers 21, 31, ... 251 are used first (the seed's step of ten); beyond 24 hosts the
 * remaining free numbers of the /24 follow in ascending order. Pod CIDRs past 10.234.255.0
 * continue in 10.235.0.0. At most {@link #MAX_HOSTS} hosts fit the underlay /24.
 *
 * @param podCidr the host's pod network; the pod gets .10 and the host-side gateway .1
 */
public record HostSpec(int index, String name, Inet4Address underlayIp, IpPrefix vtepAddress, MacAddress vtepMac, IpPrefix podCidr) {
  /** Underlay addresses 10.211.55.5 ... 10.211.55.254. */
  public static final int MAX_HOSTS = 250;
  public static final int UNDERLAY_PREFIX = 24;

  public HostSpec {
    if (index < 0 || index >= MAX_HOSTS) {
      throw new IllegalArgumentException("host index " + index + " is outside 0.." + (MAX_HOSTS - 1));
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("host " + index + " has no name");
    }
    if (!podCidr.isNetwork() || podCidr.prefixLength() > 30) {
      throw new IllegalArgumentException("pod CIDR " + podCidr + " must be a network of at least /30");
    }
  }

  /** Host {@code index} of the seed pattern (see the class comment). */
  public static HostSpec of(int index) {
    if (index == 0) {
      return new HostSpec(0, "master1", IpAddresses.parseV4("10.211.55.5"), IpPrefix.parse("179.17.1.21/24"),
          MacAddress.parse("c2:6a:9b:e5:39:8d"), IpPrefix.parse("10.234.111.0/24"));
    }
    if (index == 1) {
      return new HostSpec(1, "node1", IpAddresses.parseV4("10.211.55.6"), IpPrefix.parse("179.17.1.31/24"),
          MacAddress.parse("7a:3a:fe:45:a3:76"), IpPrefix.parse("10.234.118.0/24"));
    }
    if (index < 0 || index >= MAX_HOSTS) {
      throw new IllegalArgumentException("host index " + index + " is outside 0.." + (MAX_HOSTS - 1));
    }
    int pod = 234 * 256 + 118 + index;
    return new HostSpec(index, "node" + index,
        IpAddresses.parseV4("10.211.55." + (5 + index)),
        IpPrefix.parse("179.17.1." + vtepHostNumber(index) + "/24"),
        new MacAddress(new byte[] {0x02, 0x76, 0x78, 0x62, (byte) (index >> 8), (byte) index}),
        IpPrefix.parse("10." + (pod >> 8) + "." + (pod & 0xff) + ".0/24"));
  }

  /** 21, 31, ..., 251 for i = 0..23, then the unused numbers 2, 3, ... skipping those. */
  static int vtepHostNumber(int index) {
    if (index < 24) {
      return 21 + 10 * index;
    }
    int k = index - 24;
    for (int n = 2; n < 255; n++) {
      if (n % 10 == 1 && n >= 21) {
        continue;
      }
      if (k-- == 0) {
        return n;
      }
    }
    throw new IllegalArgumentException("no VTEP address left for host " + index);
  }

  public Inet4Address vtepIp() {
    return (Inet4Address) vtepAddress.address();
  }

  /** The pod's address: .10 of the pod CIDR (10.234.111.10 for master1). */
  public Inet4Address podIp() {
    return offset(podCidr, 10);
  }

  /** The pod's default gateway, on the host side of the pod veth: .1 of the pod CIDR. */
  public Inet4Address gatewayIp() {
    return offset(podCidr, 1);
  }

  private static Inet4Address offset(IpPrefix net, int n) {
    byte[] b = net.network().address().getAddress();
    int v = ((b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff)) + n;
    return IpAddresses.v4(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
  }
}
