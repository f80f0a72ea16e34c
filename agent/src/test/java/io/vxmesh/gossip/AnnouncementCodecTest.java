package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.proto.Announcement;
import io.vxmesh.proto.NetworkAnnouncement;
import io.vxmesh.proto.SignedAnnouncement;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AnnouncementCodecTest {
  private final ClusterKey key = ClusterKey.generate();
  private final AnnouncementCodec codec = new AnnouncementCodec(key);

  @Test
  void sealedAnnouncementRoundTripsAndIsSmall() {
    var a = Fixtures.announcement("node-with-a-long-name-01", "10.211.55.5", 21, System.currentTimeMillis());
    String sealed = codec.seal(a);
    assertTrue(sealed.length() < 300, "encoded property is " + sealed.length() + " chars");
    assertEquals(a, codec.open(sealed).announcement().orElseThrow());
  }

  @Test
  void everyFieldSurvivesEncodeAndDecode() {
    var n2 = new Announced.Network(20002, 4789, MacAddress.parse("c2:6a:9b:e5:39:8d"), IpPrefix.parse("fd00::21/64"),
        IpPrefix.parse("fd10:234::/48"), 9000);
    var a = Fixtures.announcement("a", "fd00::1", 1, 123).withGeneration(7).withVersion("9.9.9")
        .withState(Announced.State.RESTARTING);
    a = a.withNetworks(List.of(a.networks().get(0), n2));
    assertEquals(a, codec.open(codec.seal(a)).announcement().orElseThrow());
    for (Announced.State s : Announced.State.values()) {
      assertEquals(s, codec.open(codec.seal(a.withState(s))).announcement().orElseThrow().state());
    }
  }

  @Test
  void podCidrIsKeptAsItsNetwork() {
    var a = Fixtures.with(Fixtures.announcement("a", "10.0.0.1", 1, 1),
        Fixtures.network(Fixtures.mac(1), "179.17.1.1", "10.234.1.77/24"));
    assertEquals(IpPrefix.parse("10.234.1.0/24"), a.networks().get(0).podCidr());
    assertEquals(a, codec.open(codec.seal(a)).announcement().orElseThrow());
  }

  /** Signs {@code body} with the cluster key, as a buggy (but trusted) agent would. */
  private String sealRaw(Announcement body) {
    byte[] b = body.toByteArray();
    return Base64.getEncoder().encodeToString(SignedAnnouncement.newBuilder()
        .setAnnouncement(ByteString.copyFrom(b)).setHmac(ByteString.copyFrom(key.hmac(b))).build().toByteArray());
  }

  private String problemOf(Announcement body) {
    var d = codec.open(sealRaw(body));
    assertFalse(d.verified(), "malformed announcement accepted");
    return d.problem();
  }

  @Test
  void signedButMalformedFieldsAreRejectedWithTheFieldNamed() {
    Announcement good = AnnouncementCodec.encode(Fixtures.announcement("a", "10.0.0.1", 1, 1));
    NetworkAnnouncement n = good.getNetworks(0);
    assertTrue(codec.open(sealRaw(good)).verified());
    assertEquals("host IP malformed (3 bytes)", problemOf(good.toBuilder().setHostIp(ByteString.copyFrom(new byte[3])).build()));
    assertEquals("host IP malformed (0 bytes)", problemOf(good.toBuilder().clearHostIp().build()));
    assertEquals("VNI 10001: VTEP MAC malformed",
        problemOf(good.toBuilder().setNetworks(0, n.toBuilder().setVtepMac(ByteString.copyFrom(new byte[5]))).build()));
    assertEquals("VNI 10001: VTEP IP malformed",
        problemOf(good.toBuilder().setNetworks(0, n.toBuilder().setVtepIp(ByteString.copyFrom(new byte[5]))).build()));
    assertEquals("VNI 10001: VTEP IP malformed",
        problemOf(good.toBuilder().setNetworks(0, n.toBuilder().setVtepPrefixLen(33)).build()));
    assertEquals("VNI 10001: pod CIDR malformed",
        problemOf(good.toBuilder().setNetworks(0, n.toBuilder().setPodCidrAddr(ByteString.copyFrom(new byte[17]))).build()));
    assertEquals("VNI 10001: pod CIDR malformed",
        problemOf(good.toBuilder().setNetworks(0, n.toBuilder().setPodCidrPrefixLen(40)).build()));
    assertEquals("VNI 10001: pod CIDR malformed",
        problemOf(good.toBuilder().setNetworks(0, n.toBuilder().setPodCidrPrefixLen(-1)).build()));
  }

  @Test
  void malformedAnnouncementMakesTheMemberUntrustedWithTheReason() {
    Announcement good = AnnouncementCodec.encode(Fixtures.announcement("x", "10.0.0.9", 9, 1));
    var c = new Validator.Candidate("x", IpAddresses.parse("10.0.0.9"),
        codec.open(sealRaw(good.toBuilder().setHostIp(ByteString.copyFrom(new byte[5])).build())));
    var v = new Validator(Fixtures.context("a")).validate(List.of(c)).get("x");
    assertEquals(MemberStatus.UNTRUSTED, v.status());
    assertEquals("host IP malformed (5 bytes)", v.reason());
    assertNull(v.announcement());
  }

  @Test
  void unknownStateNumberReadsAsAlive() {
    Announcement future = AnnouncementCodec.encode(Fixtures.announcement("a", "10.0.0.1", 1, 1)).toBuilder().setStateValue(9).build();
    assertEquals(Announced.State.ALIVE, codec.open(sealRaw(future)).announcement().orElseThrow().state());
  }

  @Test
  void otherKeyIsRejected() {
    String sealed = new AnnouncementCodec(ClusterKey.generate()).seal(Fixtures.announcement("a", "10.0.0.1", 1, 1));
    var d = codec.open(sealed);
    assertFalse(d.verified());
    assertTrue(d.problem().contains("signature"), d.problem());
  }

  @Test
  void unsignedAndMissingAreRejected() {
    var unsigned = io.vxmesh.proto.SignedAnnouncement.newBuilder()
        .setAnnouncement(AnnouncementCodec.encode(Fixtures.announcement("a", "10.0.0.1", 1, 1)).toByteString()).build();
    assertFalse(codec.open(Base64.getEncoder().encodeToString(unsigned.toByteArray())).verified());
    assertFalse(codec.open(null).verified());
    assertFalse(codec.open("").verified());
    assertFalse(codec.open("%%% not base64").verified());
  }

  @Test
  void randomTruncatedAndBitFlippedInputNeverThrowsNorVerifies() {
    Random r = new Random(42);
    String good = codec.seal(Fixtures.announcement("a", "10.0.0.1", 1, 1));
    byte[] raw = Base64.getDecoder().decode(good);
    for (int i = 0; i < 20_000; i++) {
      byte[] b;
      switch (i % 4) {
        case 0 -> {
          b = new byte[r.nextInt(300)];
          r.nextBytes(b);
        }
        case 1 -> b = Arrays.copyOf(raw, r.nextInt(raw.length)); // truncated
        case 2 -> {
          b = raw.clone();
          b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8)); // one bit flipped
        }
        default -> {
          b = raw.clone();
          b = Arrays.copyOf(b, b.length + 1 + r.nextInt(10)); // trailing junk
          for (int j = raw.length; j < b.length; j++) {
            b[j] = (byte) r.nextInt();
          }
        }
      }
      String s = i % 8 == 7 ? new String(b, java.nio.charset.StandardCharsets.ISO_8859_1)
          : Base64.getEncoder().encodeToString(b);
      var d = codec.open(s);
      if (d.verified()) {
        // Trailing bytes appended to a protobuf may still parse to the same signed message only
        // if they form valid fields; a verified result must then equal the original exactly.
        assertEquals(codec.open(good).announcement(), d.announcement(), "accepted forged input #" + i);
      }
    }
  }
}
