package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * The validator's claim rules when members announce several networks: claims are per VNI for
 * VTEP MACs and IPs, global for pod CIDRs (routes share one table), a member conflicting on
 * any network claims nothing, and networks of a VNI we do not run are ignored.
 */
class ValidatorMultiVniTest {
  static final int A = 10001;
  static final int B = 10002;
  static final int FOREIGN = 777;
  private final AnnouncementCodec codec = new AnnouncementCodec(ClusterKey.generate());

  /** Both VNIs run here; their VTEP subnets differ unless {@code sharedSubnet}. */
  private SortedMap<String, Validator.Verdict> validate(boolean sharedSubnet, Announced... members) {
    IpPrefix b = IpPrefix.parse(sharedSubnet ? "179.17.1.0/24" : "179.18.1.0/24");
    var context = new ValidationContext("a", Map.of(A, IpPrefix.parse("179.17.1.0/24"), B, b));
    return new Validator(context).validate(List.of(members).stream()
        .map(m -> new Validator.Candidate(m.nodeName(), m.hostIp(), codec.open(codec.seal(m)))).toList());
  }

  private static Announced.Network net(int vni, int macByte, String vtepIp, String podCidr) {
    MacAddress mac = new MacAddress(new byte[] {0x02, 0x42, (byte) 0xac, 0x11, (byte) (vni & 0xff), (byte) macByte});
    return new Announced.Network(vni, 4899, mac, new IpPrefix(IpAddresses.parse(vtepIp), 24), IpPrefix.parse(podCidr), 1450);
  }

  private static Announced member(String name, int n, long claimedAt, Announced.Network... nets) {
    return Fixtures.announcement(name, "10.0.0." + n, n, claimedAt).withNetworks(List.of(nets));
  }

  private static void assertStatus(MemberStatus expected, Validator.Verdict v) {
    assertEquals(expected, v.status(), v.name() + ": " + v.reason());
  }

  @Test
  void aMemberWhoseSecondNetworkConflictsIsConflictAndClaimsNotEvenItsFirst() {
    Announced a = member("a", 1, 10, net(A, 1, "179.17.1.1", "10.234.1.0/24"), net(B, 1, "179.18.1.1", "10.235.1.0/24"));
    // b's VNI A network is fine; its VNI B network reuses a's VTEP IP there
    Announced b = member("b", 2, 20, net(A, 2, "179.17.1.2", "10.234.2.0/24"), net(B, 2, "179.18.1.1", "10.235.2.0/24"));
    // c, later, takes exactly what b's first network would have claimed: free, since b claimed nothing
    Announced c = member("c", 3, 30, net(A, 2, "179.17.1.2", "10.234.2.0/24"), net(B, 3, "179.18.1.3", "10.235.3.0/24"));
    var v = validate(false, c, b, a);
    assertStatus(MemberStatus.ALIVE, v.get("a"));
    assertStatus(MemberStatus.CONFLICT, v.get("b"));
    assertTrue(v.get("b").reason().contains("VTEP IP 179.18.1.1 (VNI " + B + ") already claimed by a"), v.get("b").reason());
    assertStatus(MemberStatus.ALIVE, v.get("c"));
  }

  @Test
  void networksOfAVniWeDoNotRunAreIgnoredEvenWhenTheyWouldConflict() {
    Announced a = member("a", 1, 10, net(A, 1, "179.17.1.1", "10.234.1.0/24"));
    // b's network on a VNI we do not run copies a's MAC, VTEP IP and pod CIDR
    var aNet = a.networks().get(0);
    var copy = new Announced.Network(FOREIGN, 4899, aNet.vtepMac(), aNet.vtepIp(), aNet.podCidr(), 1450);
    Announced b = member("b", 2, 20, copy, net(B, 2, "179.18.1.2", "10.235.2.0/24"));
    // x runs only that VNI, in no VTEP subnet of ours, with a pod CIDR covering a's
    Announced onlyForeign = member("x", 9, 5, new Announced.Network(FOREIGN, 4899, aNet.vtepMac(),
        new IpPrefix(IpAddresses.parse("192.168.9.9"), 24), IpPrefix.parse("10.234.0.0/16"), 1450));
    var v = validate(false, a, b, onlyForeign);
    assertStatus(MemberStatus.ALIVE, v.get("a"));
    assertStatus(MemberStatus.ALIVE, v.get("b"));
    assertStatus(MemberStatus.ALIVE, v.get("x")); // claims nothing of ours, so it cannot take a's /24
  }

  @Test
  void overlappingPodCidrsOnDifferentVnisConflictBecauseRoutesShareOneTable() {
    Announced a = member("a", 1, 10, net(A, 1, "179.17.1.1", "10.234.1.0/24"));
    Announced b = member("b", 2, 20, net(B, 2, "179.18.1.2", "10.234.1.128/25"));
    var v = validate(false, b, a);
    assertStatus(MemberStatus.ALIVE, v.get("a"));
    assertStatus(MemberStatus.CONFLICT, v.get("b"));
    assertTrue(v.get("b").reason().startsWith("pod CIDR 10.234.1.128/25 overlaps"), v.get("b").reason());
  }

  @Test
  void theSameVtepIpAndMacInAnotherVniAreNoConflictButInTheSameVniTheyAre() {
    Announced a = member("a", 1, 10, net(A, 1, "179.17.1.1", "10.234.1.0/24"));
    // same address (and same MAC bytes) as a's, but on VNI B: another device, another claim space
    var aNet = a.networks().get(0);
    Announced b = member("b", 2, 20, new Announced.Network(B, 4899, aNet.vtepMac(), aNet.vtepIp(), IpPrefix.parse("10.234.2.0/24"), 1450));
    var v = validate(true, a, b);
    assertStatus(MemberStatus.ALIVE, v.get("a"));
    assertStatus(MemberStatus.ALIVE, v.get("b"));
    // a third member repeating b's VNI B address conflicts with b, not with a
    Announced c = member("c", 3, 30, net(A, 3, "179.17.1.3", "10.234.3.0/24"),
        new Announced.Network(B, 4899, net(B, 3, "179.17.1.3", "10.234.3.0/24").vtepMac(), aNet.vtepIp(), IpPrefix.parse("10.234.4.0/24"), 1450));
    var v3 = validate(true, c, b, a);
    assertStatus(MemberStatus.CONFLICT, v3.get("c"));
    assertTrue(v3.get("c").reason().contains("(VNI " + B + ") already claimed by b"), v3.get("c").reason());
  }
}
