package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidatorTest {
  private final ClusterKey key = ClusterKey.generate();
  private final AnnouncementCodec codec = new AnnouncementCodec(key);

  private Validator.Candidate member(Announced a, String gossipHost) {
    return candidate(a.nodeName(), gossipHost, codec.seal(a));
  }

  private Validator.Candidate candidate(String name, String gossipHost, String property) {
    return new Validator.Candidate(name, IpAddresses.parse(gossipHost), codec.open(property));
  }

  private Validator.Candidate member(String name, int n, long claimedAt) {
    return member(Fixtures.announcement(name, "10.0.0." + n, n, claimedAt), "10.0.0." + n);
  }

  private Validator.Verdict verdict(List<Validator.Candidate> members, String name) {
    return new Validator(Fixtures.context("a")).validate(members).get(name);
  }

  @Test
  void consistentMembersAreAlive() {
    var v = new Validator(Fixtures.context("a")).validate(List.of(member("a", 1, 10), member("b", 2, 20)));
    assertEquals(MemberStatus.ALIVE, v.get("a").status());
    assertEquals(MemberStatus.ALIVE, v.get("b").status());
    assertNotNull(v.get("b").announcement());
  }

  @Test
  void missingPropertyIsUntrusted() {
    var v = verdict(List.of(candidate("x", "10.0.0.9", null)), "x");
    assertEquals(MemberStatus.UNTRUSTED, v.status());
    assertNull(v.announcement());
  }

  @Test
  void wronglySignedIsUntrusted() {
    var a = Fixtures.announcement("x", "10.0.0.9", 9, 1);
    var c = candidate("x", "10.0.0.9", new AnnouncementCodec(ClusterKey.generate()).seal(a));
    var v = verdict(List.of(c), "x");
    assertEquals(MemberStatus.UNTRUSTED, v.status());
    assertTrue(v.reason().contains("signature"), v.reason());
    assertNull(v.announcement());
  }

  @Test
  void undecodableIsUntrusted() {
    var v = verdict(List.of(candidate("x", "10.0.0.9", "AAAA////")), "x");
    assertEquals(MemberStatus.UNTRUSTED, v.status());
  }

  @Test
  void hostIpDifferentFromGossipAddressIsUntrusted() {
    var v = verdict(List.of(member(Fixtures.announcement("x", "10.0.0.9", 9, 1), "10.0.0.10")), "x");
    assertEquals(MemberStatus.UNTRUSTED, v.status());
    assertTrue(v.reason().contains("differs from gossip address"), v.reason());
    assertNotNull(v.announcement(), "signature verified, so the announcement is shown");
  }

  @Test
  void announcementNamingAnotherNodeIsUntrusted() {
    var a = Fixtures.announcement("y", "10.0.0.9", 9, 1);
    var c = candidate("x", "10.0.0.9", codec.seal(a));
    assertEquals(MemberStatus.UNTRUSTED, verdict(List.of(c), "x").status());
  }

  @Test
  void vtepIpOutsideSharedPrefixIsUntrusted() {
    var bad = Fixtures.with(Fixtures.announcement("x", "10.0.0.9", 9, 1),
        Fixtures.network(Fixtures.mac(9), "179.17.2.9", "10.234.9.0/24"));
    var v = verdict(List.of(member(bad, "10.0.0.9")), "x");
    assertEquals(MemberStatus.UNTRUSTED, v.status());
    assertTrue(v.reason().contains("outside the VTEP subnet"), v.reason());
  }

  @Test
  void networksWithUnknownVniAreIgnored() {
    var n1 = Fixtures.network(1);
    var foreign = new Announced.Network(777, n1.port(), n1.vtepMac(), IpPrefix.parse("192.168.9.9/24"), n1.podCidr(), n1.mtu());
    var a = Fixtures.announcement("b", "10.0.0.2", 2, 20);
    a = a.withNetworks(List.of(a.networks().get(0), foreign));
    // foreign network's VTEP IP is outside our prefix and its MAC equals a's, yet b stays alive
    var v = new Validator(Fixtures.context("a")).validate(List.of(member("a", 1, 10), member(a, "10.0.0.2")));
    assertEquals(MemberStatus.ALIVE, v.get("b").status());
  }

  @Test
  void overlappingPodCidrLaterClaimerIsConflict() {
    var late = Fixtures.with(Fixtures.announcement("b", "10.0.0.2", 2, 20),
        Fixtures.network(Fixtures.mac(2), "179.17.1.2", "10.234.0.0/16"));
    var v = new Validator(Fixtures.context("a")).validate(List.of(member(late, "10.0.0.2"), member("a", 1, 10)));
    assertEquals(MemberStatus.ALIVE, v.get("a").status());
    assertEquals(MemberStatus.CONFLICT, v.get("b").status());
    assertTrue(v.get("b").reason().contains("overlaps") && v.get("b").reason().contains("a"), v.get("b").reason());
  }

  @Test
  void duplicateVtepMacLaterClaimerIsConflict() {
    var dup = Fixtures.with(Fixtures.announcement("b", "10.0.0.2", 2, 20),
        Fixtures.network(Fixtures.mac(1), "179.17.1.2", "10.234.2.0/24"));
    var v = new Validator(Fixtures.context("a")).validate(List.of(member("a", 1, 10), member(dup, "10.0.0.2")));
    assertEquals(MemberStatus.CONFLICT, v.get("b").status());
    assertTrue(v.get("b").reason().contains("VTEP MAC"), v.get("b").reason());
  }

  @Test
  void duplicateVtepIpLaterClaimerIsConflict() {
    var dup = Fixtures.with(Fixtures.announcement("b", "10.0.0.2", 2, 5),
        Fixtures.network(Fixtures.mac(2), "179.17.1.1", "10.234.2.0/24"));
    // b claimed first (5 < 10), so a — even though it is "us" — loses.
    var v = new Validator(Fixtures.context("a")).validate(List.of(member("a", 1, 10), member(dup, "10.0.0.2")));
    assertEquals(MemberStatus.ALIVE, v.get("b").status());
    assertEquals(MemberStatus.CONFLICT, v.get("a").status());
    assertTrue(v.get("a").reason().contains("VTEP IP"), v.get("a").reason());
  }

  @Test
  void tieOnClaimTimeGoesToLowerNodeName() {
    var dup = Fixtures.announcement("a", "10.0.0.1", 1, 10);
    var other = Fixtures.with(Fixtures.announcement("b", "10.0.0.2", 2, 10), Fixtures.network(1));
    var v = new Validator(Fixtures.context("b")).validate(List.of(member(other, "10.0.0.2"), member(dup, "10.0.0.1")));
    assertEquals(MemberStatus.ALIVE, v.get("a").status());
    assertEquals(MemberStatus.CONFLICT, v.get("b").status());
  }

  @Test
  void loserDoesNotBlockAThirdMember() {
    // b conflicts with a; c overlaps only b's CIDR. b claims nothing, so c is alive.
    var b = Fixtures.with(Fixtures.announcement("b", "10.0.0.2", 2, 20),
        Fixtures.network(Fixtures.mac(2), "179.17.1.2", "10.234.0.0/16"));
    var v = new Validator(Fixtures.context("a")).validate(List.of(member("a", 1, 10), member(b, "10.0.0.2"), member("c", 3, 30)));
    assertEquals(MemberStatus.CONFLICT, v.get("b").status());
    assertEquals(MemberStatus.ALIVE, v.get("c").status());
  }

  @Test
  void leavingIsNotProgrammableAndClaimsNothing() {
    var leaving = Fixtures.announcement("a", "10.0.0.1", 1, 1).withState(Announced.State.LEAVING);
    var successor = Fixtures.with(Fixtures.announcement("b", "10.0.0.2", 2, 50), Fixtures.network(1));
    var v = new Validator(Fixtures.context("c")).validate(List.of(member(leaving, "10.0.0.1"), member(successor, "10.0.0.2")));
    assertEquals(MemberStatus.LEAVING, v.get("a").status());
    assertTrue(!v.get("a").status().programmable());
    assertEquals(MemberStatus.ALIVE, v.get("b").status());
  }

  @Test
  void restartingIsSuspectButProgrammable() {
    var r = Fixtures.announcement("a", "10.0.0.1", 1, 1).withState(Announced.State.RESTARTING);
    var v = verdict(List.of(member(r, "10.0.0.1")), "a");
    assertEquals(MemberStatus.SUSPECT, v.status());
    assertEquals("restarting", v.reason());
    assertTrue(v.status().programmable());
  }

  @Test
  void twoMembersComputeIdenticalVerdictsWhateverTheOrder() {
    List<Validator.Candidate> all = new ArrayList<>();
    all.add(member("a", 1, 30));
    all.add(member("b", 2, 10));
    // c duplicates a's MAC and pod CIDR (claimed earlier than a); d reuses that pod CIDR too
    all.add(member(Fixtures.with(Fixtures.announcement("c", "10.0.0.3", 3, 20),
        Fixtures.network(Fixtures.mac(1), "179.17.1.3", "10.234.1.0/24")), "10.0.0.3"));
    all.add(member(Fixtures.with(Fixtures.announcement("d", "10.0.0.4", 4, 30),
        Fixtures.network(Fixtures.mac(4), "179.17.1.4", "10.234.1.0/24")), "10.0.0.4"));
    List<Validator.Candidate> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new java.util.Random(7));
    var onA = new Validator(Fixtures.context("a")).validate(all);
    var onD = new Validator(Fixtures.context("d")).validate(shuffled);
    assertEquals(onA, onD);
    assertEquals(MemberStatus.ALIVE, onA.get("b").status());
    assertEquals(MemberStatus.ALIVE, onA.get("c").status(), "c claimed before a, so c keeps 10.234.1.0/24");
    assertEquals(MemberStatus.CONFLICT, onA.get("a").status(), "a (ourselves on one side) loses to c");
    assertEquals(MemberStatus.CONFLICT, onA.get("d").status());
    assertTrue(onA.get("d").reason().contains("claimed by c"), onA.get("d").reason());
  }

  @Test
  void fiveThousandMembersValidateQuickly() {
    List<Validator.Candidate> all = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      byte[] host = {10, 1, (byte) (i >> 8), (byte) i};
      var a = Fixtures.with(Fixtures.announcement("h" + i, "10.1." + ((i >> 8) & 255) + "." + (i & 255), 1, i),
          Fixtures.network(new MacAddress(new byte[] {2, 0, 0, 0, (byte) (i >> 8), (byte) i}), "179.17.1." + (i % 250),
              "10." + (100 + (i >> 8)) + "." + (i & 255) + ".0/24"));
      all.add(new Validator.Candidate(a.nodeName(), IpAddresses.v4(host), codec.open(codec.seal(a))));
    }
    Validator v = new Validator(Fixtures.context("h0"));
    v.validate(all); // warm-up
    long t0 = System.nanoTime();
    var out = v.validate(all);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("figure revalidate_5000_members_ms=" + ms + " (announcements decoded once, before)");
    assertEquals(out, new Validator(Fixtures.context("h0")).validate(all), "validation keeps no state between calls");
    // VTEP IPs repeat every 250 members, so all but the first 250 conflict
    assertEquals(250, out.values().stream().filter(x -> x.status() == MemberStatus.ALIVE).count());
    assertTrue(ms < 5000, "validation of 5000 members took " + ms + " ms");
  }
}
