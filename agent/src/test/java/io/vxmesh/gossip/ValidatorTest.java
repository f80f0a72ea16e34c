package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.proto.Announcement;
import io.vxmesh.proto.NetworkAnnouncement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidatorTest {
  private final ClusterKey key = ClusterKey.generate();
  private final AnnouncementCodec codec = new AnnouncementCodec(key);

  private Validator.Candidate member(Announcement a, String gossipHost) {
    return new Validator.Candidate(a.getNodeName(), IpAddresses.parse(gossipHost), codec.seal(a));
  }

  private Validator.Candidate member(String name, int n, long claimedAt) {
    return member(Fixtures.announcement(name, "10.0.0." + n, n, claimedAt), "10.0.0." + n);
  }

  private Validator.Verdict verdict(List<Validator.Candidate> members, String name) {
    return new Validator(codec, Fixtures.context("a")).validate(members).get(name);
  }

  @Test
  void consistentMembersAreAlive() {
    var v = new Validator(codec, Fixtures.context("a")).validate(List.of(member("a", 1, 10), member("b", 2, 20)));
    assertEquals(MemberStatus.ALIVE, v.get("a").status());
    assertEquals(MemberStatus.ALIVE, v.get("b").status());
    assertNotNull(v.get("b").announcement());
  }

  @Test
  void missingPropertyIsUntrusted() {
    var v = verdict(List.of(new Validator.Candidate("x", IpAddresses.parse("10.0.0.9"), null)), "x");
    assertEquals(MemberStatus.UNTRUSTED, v.status());
    assertNull(v.announcement());
  }

  @Test
  void wronglySignedIsUntrusted() {
    var a = Fixtures.announcement("x", "10.0.0.9", 9, 1);
    var c = new Validator.Candidate("x", IpAddresses.parse("10.0.0.9"), new AnnouncementCodec(ClusterKey.generate()).seal(a));
    var v = verdict(List.of(c), "x");
    assertEquals(MemberStatus.UNTRUSTED, v.status());
    assertTrue(v.reason().contains("signature"), v.reason());
    assertNull(v.announcement());
  }

  @Test
  void undecodableIsUntrusted() {
    var v = verdict(List.of(new Validator.Candidate("x", IpAddresses.parse("10.0.0.9"), "AAAA////")), "x");
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
    var c = new Validator.Candidate("x", IpAddresses.parse("10.0.0.9"), codec.seal(a));
    assertEquals(MemberStatus.UNTRUSTED, verdict(List.of(c), "x").status());
  }

  @Test
  void vtepIpOutsideSharedPrefixIsUntrusted() {
    var bad = Fixtures.announcement("x", "10.0.0.9", 9, 1).toBuilder()
        .setNetworks(0, Fixtures.network(9).toBuilder()
            .setVtepIp(ByteString.copyFrom(IpAddresses.parse("179.17.2.9").getAddress())))
        .build();
    var v = verdict(List.of(member(bad, "10.0.0.9")), "x");
    assertEquals(MemberStatus.UNTRUSTED, v.status());
    assertTrue(v.reason().contains("outside the VTEP subnet"), v.reason());
  }

  @Test
  void networksWithUnknownVniAreIgnored() {
    NetworkAnnouncement foreign = Fixtures.network(1).toBuilder().setVni(777)
        .setVtepIp(ByteString.copyFrom(IpAddresses.parse("192.168.9.9").getAddress())).build();
    var a = Fixtures.announcement("b", "10.0.0.2", 2, 20).toBuilder().addNetworks(foreign).build();
    // foreign network's VTEP IP is outside our prefix and its MAC equals a's, yet b stays alive
    var v = new Validator(codec, Fixtures.context("a")).validate(List.of(member("a", 1, 10), member(a, "10.0.0.2")));
    assertEquals(MemberStatus.ALIVE, v.get("b").status());
  }

  @Test
  void overlappingPodCidrLaterClaimerIsConflict() {
    var late = Fixtures.announcement("b", "10.0.0.2", 2, 20).toBuilder()
        .setNetworks(0, Fixtures.network(2).toBuilder()
            .setPodCidrAddr(ByteString.copyFrom(IpAddresses.parse("10.234.0.0").getAddress())).setPodCidrPrefixLen(16))
        .build();
    var v = new Validator(codec, Fixtures.context("a")).validate(List.of(member(late, "10.0.0.2"), member("a", 1, 10)));
    assertEquals(MemberStatus.ALIVE, v.get("a").status());
    assertEquals(MemberStatus.CONFLICT, v.get("b").status());
    assertTrue(v.get("b").reason().contains("overlaps") && v.get("b").reason().contains("a"), v.get("b").reason());
  }

  @Test
  void duplicateVtepMacLaterClaimerIsConflict() {
    var dup = Fixtures.announcement("b", "10.0.0.2", 2, 20).toBuilder()
        .setNetworks(0, Fixtures.network(2).toBuilder().setVtepMac(Fixtures.network(1).getVtepMac()))
        .build();
    var v = new Validator(codec, Fixtures.context("a")).validate(List.of(member("a", 1, 10), member(dup, "10.0.0.2")));
    assertEquals(MemberStatus.CONFLICT, v.get("b").status());
    assertTrue(v.get("b").reason().contains("VTEP MAC"), v.get("b").reason());
  }

  @Test
  void duplicateVtepIpLaterClaimerIsConflict() {
    var dup = Fixtures.announcement("b", "10.0.0.2", 2, 5).toBuilder()
        .setNetworks(0, Fixtures.network(2).toBuilder().setVtepIp(Fixtures.network(1).getVtepIp()))
        .build();
    // b claimed first (5 < 10), so a — even though it is "us" — loses.
    var v = new Validator(codec, Fixtures.context("a")).validate(List.of(member("a", 1, 10), member(dup, "10.0.0.2")));
    assertEquals(MemberStatus.ALIVE, v.get("b").status());
    assertEquals(MemberStatus.CONFLICT, v.get("a").status());
    assertTrue(v.get("a").reason().contains("VTEP IP"), v.get("a").reason());
  }

  @Test
  void tieOnClaimTimeGoesToLowerNodeName() {
    var dup = Fixtures.announcement("a", "10.0.0.1", 1, 10);
    var other = Fixtures.announcement("b", "10.0.0.2", 2, 10).toBuilder().setNetworks(0, Fixtures.network(1)).build();
    var v = new Validator(codec, Fixtures.context("b")).validate(List.of(member(other, "10.0.0.2"), member(dup, "10.0.0.1")));
    assertEquals(MemberStatus.ALIVE, v.get("a").status());
    assertEquals(MemberStatus.CONFLICT, v.get("b").status());
  }

  @Test
  void loserDoesNotBlockAThirdMember() {
    // b conflicts with a; c overlaps only b's CIDR. b claims nothing, so c is alive.
    var b = Fixtures.announcement("b", "10.0.0.2", 2, 20).toBuilder().setNetworks(0, Fixtures.network(2).toBuilder()
        .setPodCidrAddr(ByteString.copyFrom(IpAddresses.parse("10.234.0.0").getAddress())).setPodCidrPrefixLen(16)).build();
    var v = new Validator(codec, Fixtures.context("a")).validate(List.of(member("a", 1, 10), member(b, "10.0.0.2"), member("c", 3, 30)));
    assertEquals(MemberStatus.CONFLICT, v.get("b").status());
    assertEquals(MemberStatus.ALIVE, v.get("c").status());
  }

  @Test
  void leavingIsNotProgrammableAndClaimsNothing() {
    var leaving = Fixtures.announcement("a", "10.0.0.1", 1, 1).toBuilder().setState(Announcement.State.LEAVING).build();
    var successor = Fixtures.announcement("b", "10.0.0.2", 2, 50).toBuilder().setNetworks(0, Fixtures.network(1)).build();
    var v = new Validator(codec, Fixtures.context("c")).validate(List.of(member(leaving, "10.0.0.1"), member(successor, "10.0.0.2")));
    assertEquals(MemberStatus.LEAVING, v.get("a").status());
    assertTrue(!v.get("a").status().programmable());
    assertEquals(MemberStatus.ALIVE, v.get("b").status());
  }

  @Test
  void restartingIsSuspectButProgrammable() {
    var r = Fixtures.announcement("a", "10.0.0.1", 1, 1).toBuilder().setState(Announcement.State.RESTARTING).build();
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
    all.add(member(Fixtures.announcement("c", "10.0.0.3", 3, 20).toBuilder()
        .setNetworks(0, Fixtures.network(1).toBuilder().setVtepIp(Fixtures.network(3).getVtepIp())).build(), "10.0.0.3"));
    all.add(member(Fixtures.announcement("d", "10.0.0.4", 4, 30).toBuilder()
        .setNetworks(0, Fixtures.network(4).toBuilder().setPodCidrAddr(Fixtures.network(1).getPodCidrAddr())).build(), "10.0.0.4"));
    List<Validator.Candidate> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new java.util.Random(7));
    var onA = new Validator(codec, Fixtures.context("a")).validate(all);
    var onD = new Validator(codec, Fixtures.context("d")).validate(shuffled);
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
      var a = Fixtures.announcement("h" + i, "10.1." + ((i >> 8) & 255) + "." + (i & 255), 1, i).toBuilder()
          .setNetworks(0, Fixtures.network(1).toBuilder()
              .setVtepMac(ByteString.copyFrom(new byte[] {2, 0, 0, 0, (byte) (i >> 8), (byte) i}))
              .setVtepIp(ByteString.copyFrom(new byte[] {(byte) 179, 17, 1, (byte) (i % 250)}))
              .setPodCidrAddr(ByteString.copyFrom(new byte[] {10, (byte) (100 + (i >> 8)), (byte) i, 0})))
          .build();
      all.add(new Validator.Candidate(a.getNodeName(), IpAddresses.v4(host), codec.seal(a)));
    }
    Validator v = new Validator(codec, Fixtures.context("h0"));
    v.validate(all); // warm-up
    long t0 = System.nanoTime();
    var out = v.validate(all);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("figure revalidate_5000_members_ms=" + ms + " (decode cache warm)");
    assertEquals(out, new Validator(codec, Fixtures.context("h0")).validate(all), "cache changes no result");
    // VTEP IPs repeat every 250 members, so all but the first 250 conflict
    assertEquals(250, out.values().stream().filter(x -> x.status() == MemberStatus.ALIVE).count());
    assertTrue(ms < 5000, "validation of 5000 members took " + ms + " ms");
  }
}
