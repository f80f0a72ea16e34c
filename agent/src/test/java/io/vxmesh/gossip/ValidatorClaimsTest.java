package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.IpPrefix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, attacks 3–5 at the validator: witnesses beat a claimant's own (backdatable) claim
 * time, the verdict does not depend on arrival order, unproven and refuted host addresses are
 * never programmed, and pod CIDRs over the underlay are untrusted (docs/claims.md).
 */
class ValidatorClaimsTest {
  private final AnnouncementCodec codec = new AnnouncementCodec(ClusterKey.generate());
  private final Validator validator = new Validator(Fixtures.context("w1"));

  private Validator.Candidate member(Announced a) {
    return member(a, HostProof.PROVEN);
  }

  private Validator.Candidate member(Announced a, HostProof proof) {
    return new Validator.Candidate(a.nodeName(), a.hostIp(), codec.open(codec.seal(a)), proof);
  }

  private static Announced node(String name, int n, long claimedAt) {
    return Fixtures.announcement(name, "10.0.0." + n, n, claimedAt);
  }

  /** Node {@code n} (own VTEP MAC and IP) claiming the pod CIDR of node {@code victim}. */
  private static Announced podThief(String name, int n, int victim, long claimedAt) {
    return Fixtures.with(node(name, n, claimedAt), Fixtures.network(Fixtures.mac(n), "179.17.1." + n, "10.234." + victim + ".0/24"));
  }

  @Test
  void aBackdatedClaimLosesToAnOwnerThatAWitnessUpholds() {
    Announced owner = node("p", 1, 5_000);
    Announced thief = podThief("t", 9, 1, 1_000);
    Announced witness = node("w1", 2, 3_000).withUpheld(List.of(Validator.vote(owner)));
    SortedMap<String, Validator.Verdict> v = validator.validate(List.of(member(owner), member(thief), member(witness)));
    assertEquals(MemberStatus.ALIVE, v.get("p").status());
    assertEquals(MemberStatus.CONFLICT, v.get("t").status(), v.get("t").reason());
    assertTrue(v.get("t").reason().contains("claimed by p"), v.get("t").reason());
    assertTrue(v.get("p").contested() && v.get("t").contested());
    assertFalse(v.get("w1").contested());
  }

  @Test
  void vtepIpAndMacCannotBeStolenWithABackdatedClaimEither() {
    Announced owner = node("p", 1, 5_000);
    Announced ipThief = Fixtures.with(node("t", 9, 1_000), Fixtures.network(Fixtures.mac(9), "179.17.1.1", "10.234.9.0/24"));
    Announced macThief = Fixtures.with(node("u", 8, 1_000), Fixtures.network(Fixtures.mac(1), "179.17.1.8", "10.234.8.0/24"));
    Announced witness = node("w1", 2, 3_000).withUpheld(List.of(Validator.vote(owner)));
    var v = validator.validate(List.of(member(owner), member(ipThief), member(macThief), member(witness)));
    assertEquals(MemberStatus.ALIVE, v.get("p").status());
    assertEquals(MemberStatus.CONFLICT, v.get("t").status());
    assertTrue(v.get("t").reason().startsWith("VTEP IP 179.17.1.1"), v.get("t").reason());
    assertEquals(MemberStatus.CONFLICT, v.get("u").status());
    assertTrue(v.get("u").reason().startsWith("VTEP MAC"), v.get("u").reason());
  }

  /**
   * Before any vote, p loses its MAC to u by claim time and claims nothing; t, holding p's VTEP
   * IP, collides with no claim made. It is still contested: that flag is what stops nodes from
   * holding (and later voting for) it, so it must not depend on who won elsewhere.
   */
  @Test
  void aMemberCollidingOnlyWithALoserIsStillContested() {
    Announced owner = node("p", 1, 5_000);
    Announced ipThief = Fixtures.with(node("t", 9, 1_000), Fixtures.network(Fixtures.mac(9), "179.17.1.1", "10.234.9.0/24"));
    Announced macThief = Fixtures.with(node("u", 8, 1_000), Fixtures.network(Fixtures.mac(1), "179.17.1.8", "10.234.8.0/24"));
    var v = validator.validate(List.of(member(owner), member(ipThief), member(macThief), member(node("w1", 2, 3_000))));
    assertEquals(MemberStatus.CONFLICT, v.get("p").status());
    assertTrue(v.get("p").reason().startsWith("VTEP MAC"), v.get("p").reason());
    assertEquals(MemberStatus.ALIVE, v.get("t").status());
    assertTrue(v.get("t").contested(), "t claims p's VTEP IP");
    assertTrue(v.get("u").contested());
    assertFalse(v.get("w1").contested());
  }

  /** The same for pod CIDRs, nested either way: /16 over two /24s that do not overlap each other. */
  @Test
  void everyMemberWhosePodCidrOverlapsAnotherIsContested() {
    Announced wide = Fixtures.with(node("a", 20, 1_000), Fixtures.network(Fixtures.mac(20), "179.17.1.20", "10.235.0.0/16"));
    Announced left = Fixtures.with(node("b", 21, 500), Fixtures.network(Fixtures.mac(21), "179.17.1.21", "10.235.1.0/24"));
    Announced right = Fixtures.with(node("c", 22, 2_000), Fixtures.network(Fixtures.mac(22), "179.17.1.22", "10.235.2.0/24"));
    Announced apart = Fixtures.with(node("d", 23, 3_000), Fixtures.network(Fixtures.mac(23), "179.17.1.23", "10.236.0.0/24"));
    var v = validator.validate(List.of(member(wide), member(left), member(right), member(apart)));
    assertEquals(MemberStatus.ALIVE, v.get("b").status());
    assertEquals(MemberStatus.CONFLICT, v.get("a").status());
    assertEquals(MemberStatus.ALIVE, v.get("c").status(), "a lost to b, so c's /24 is free");
    assertTrue(v.get("c").contested(), "c's /24 lies inside a's /16");
    assertTrue(v.get("a").contested() && v.get("b").contested());
    assertFalse(v.get("d").contested());
  }

  @Test
  void aClaimantCannotWitnessForItself() {
    Announced owner = node("p", 1, 5_000);
    Announced thief = podThief("t", 9, 1, 1_000);
    thief = thief.withUpheld(List.of(Validator.vote(thief)));
    var v = validator.validate(List.of(member(owner), member(thief)));
    assertEquals(MemberStatus.CONFLICT, v.get("p").status(), "without a third member the claim time decides");
    assertEquals(MemberStatus.ALIVE, v.get("t").status());
  }

  @Test
  void aVoteBacksOnlyTheClaimsItNames() {
    Announced owner = node("p", 1, 5_000);
    Announced old = podThief("t", 9, 7, 1_000); // t was upheld with another pod CIDR
    Announced thief = podThief("t", 9, 1, 1_000);
    Announced witness = node("w1", 2, 3_000).withUpheld(List.of(Validator.vote(old)));
    var v = validator.validate(List.of(member(owner), member(thief), member(witness)));
    assertEquals(MemberStatus.CONFLICT, v.get("p").status(), "a stale vote for t's old claims must not count");
  }

  @Test
  void newcomersNoOneUpholdsStillRaceByClaimTimeThenName() {
    var a = node("a", 1, 2_000);
    var b = podThief("b", 2, 1, 1_000);
    var c = podThief("c", 3, 1, 1_000);
    var v = validator.validate(List.of(member(a), member(b), member(c)));
    assertEquals(MemberStatus.ALIVE, v.get("b").status());
    assertEquals(MemberStatus.CONFLICT, v.get("a").status());
    assertEquals(MemberStatus.CONFLICT, v.get("c").status());
  }

  @Test
  void moreWitnessesWin() {
    Announced a = node("a", 1, 1_000);
    Announced b = podThief("b", 2, 1, 5_000);
    var w1 = node("w1", 3, 0).withUpheld(List.of(Validator.vote(a)));
    var w2 = node("w2", 4, 0).withUpheld(List.of(Validator.vote(b)));
    var w3 = node("w3", 5, 0).withUpheld(List.of(Validator.vote(b)));
    var v = validator.validate(List.of(member(a), member(b), member(w1), member(w2), member(w3)));
    assertEquals(MemberStatus.ALIVE, v.get("b").status());
    assertEquals(MemberStatus.CONFLICT, v.get("a").status());
  }

  @Test
  void theSameAnnouncementsInAnyOrderGiveTheSameVerdicts() {
    Announced p = node("p", 1, 5_000);
    List<Validator.Candidate> all = new ArrayList<>(List.of(
        member(p),
        member(podThief("t", 9, 1, 1_000)),
        member(Fixtures.with(node("u", 8, 1_000), Fixtures.network(Fixtures.mac(8), "179.17.1.1", "10.234.8.0/24"))),
        member(podThief("n1", 10, 11, 2_000)),
        member(podThief("n2", 12, 11, 2_000)),
        member(podThief("n3", 13, 11, 1_500)),
        member(node("w1", 2, 0).withUpheld(List.of(Validator.vote(p)))),
        member(node("w2", 3, 0).withUpheld(List.of(Validator.vote(p)))),
        member(node("x", 4, 0), new HostProof(HostProof.State.REFUTED, "w2")),
        member(node("y", 5, 0), HostProof.PENDING)));
    SortedMap<String, Validator.Verdict> first = validator.validate(all);
    assertEquals(MemberStatus.ALIVE, first.get("p").status());
    assertEquals(MemberStatus.ALIVE, first.get("n3").status());
    Random r = new Random(12);
    for (int i = 0; i < 200; i++) {
      Collections.shuffle(all, r);
      assertEquals(first, validator.validate(all), "order " + all.stream().map(Validator.Candidate::name).toList());
    }
  }

  @Test
  void anUnprovenHostAddressIsNeverProgrammedAndClaimsNothing() {
    Announced ghost = podThief("g", 9, 1, 1_000);
    var v = validator.validate(List.of(member(ghost, HostProof.PENDING), member(node("p", 1, 5_000))));
    assertEquals(MemberStatus.UNPROVEN, v.get("g").status());
    assertFalse(v.get("g").status().programmable());
    assertTrue(v.get("g").reason().contains("not proven"), v.get("g").reason());
    assertEquals(MemberStatus.ALIVE, v.get("p").status());
  }

  @Test
  void aHostAddressThatAnswersAsAnotherNodeIsUntrusted() {
    var v = validator.validate(List.of(member(node("g", 2, 1_000), HostProof.refuted("w2"))));
    assertEquals(MemberStatus.UNTRUSTED, v.get("g").status());
    assertEquals("host address 10.0.0.2 answered as node 'w2'", v.get("g").reason());
  }

  @Test
  void aPodCidrOverAnotherMembersHostIpIsUntrusted() {
    Announced p = node("p", 1, 0);
    Announced bad = Fixtures.with(node("b", 2, 0), Fixtures.network(Fixtures.mac(2), "179.17.1.2", "10.0.0.0/30"));
    var v = validator.validate(List.of(member(p), member(bad)));
    assertEquals(MemberStatus.UNTRUSTED, v.get("b").status());
    assertEquals("pod CIDR 10.0.0.0/30 contains the host IP 10.0.0.1", v.get("b").reason());
    assertEquals(MemberStatus.ALIVE, v.get("p").status());
  }

  @Test
  void aPodCidrOverTheDefaultRouteTheVtepSubnetOrTheLocalUnderlayIsUntrusted() {
    var local = new Validator(new ValidationContext("w1", Map.of(Fixtures.VNI, Fixtures.VTEP_NET),
        List.of(IpPrefix.parse("10.211.55.0/24"))));
    var all = Fixtures.with(node("a", 2, 0), Fixtures.network(Fixtures.mac(2), "179.17.1.2", "0.0.0.0/0"));
    var vtep = Fixtures.with(node("b", 3, 0), Fixtures.network(Fixtures.mac(3), "179.17.1.3", "179.17.0.0/16"));
    var underlay = Fixtures.with(node("c", 4, 0), Fixtures.network(Fixtures.mac(4), "179.17.1.4", "10.211.55.128/25"));
    var v = local.validate(List.of(member(all), member(vtep), member(underlay)));
    assertTrue(v.get("a").reason().startsWith("pod CIDR /0 is wider than /8"), v.get("a").reason());
    assertEquals("pod CIDR 179.17.0.0/16 overlaps the VTEP subnet 179.17.1.0/24", v.get("b").reason());
    assertEquals("pod CIDR 10.211.55.128/25 overlaps the underlay subnet 10.211.55.0/24", v.get("c").reason());
    v.values().forEach(x -> assertEquals(MemberStatus.UNTRUSTED, x.status(), x.name()));
  }

  @Test
  void anUntrustedPodCidrClaimsNothing() {
    // An absurd claim must not knock out the owner of a prefix inside it.
    var p = node("p", 1, 5_000);
    var wide = Fixtures.with(node("b", 2, 1), Fixtures.network(Fixtures.mac(2), "179.17.1.2", "10.0.0.0/7"));
    var v = validator.validate(List.of(member(p), member(wide)));
    assertEquals(MemberStatus.UNTRUSTED, v.get("b").status());
    assertEquals(MemberStatus.ALIVE, v.get("p").status());
  }
}
