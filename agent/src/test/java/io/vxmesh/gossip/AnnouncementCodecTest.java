package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Base64;
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
  void otherKeyIsRejected() {
    String sealed = new AnnouncementCodec(ClusterKey.generate()).seal(Fixtures.announcement("a", "10.0.0.1", 1, 1));
    var d = codec.open(sealed);
    assertFalse(d.verified());
    assertTrue(d.problem().contains("signature"), d.problem());
  }

  @Test
  void unsignedAndMissingAreRejected() {
    var unsigned = io.vxmesh.proto.SignedAnnouncement.newBuilder()
        .setAnnouncement(Fixtures.announcement("a", "10.0.0.1", 1, 1).toByteString()).build();
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
