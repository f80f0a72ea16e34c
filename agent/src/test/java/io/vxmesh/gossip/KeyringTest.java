package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The keyring file format and its limits; what signs and what is accepted. */
class KeyringTest {
  private final ClusterKey a = ClusterKey.generate();
  private final ClusterKey b = ClusterKey.generate();
  private final ClusterKey c = ClusterKey.generate();

  @Test
  void aKeyFileOfOneKeyIsAKeyringOfOne() {
    Keyring k = Keyring.parse(a.toBase64() + "\n");
    assertEquals(a, k.primary());
    assertEquals(List.of(a), k.keys());
  }

  @Test
  void theFirstKeySignsAndTheOthersAreAcceptedInFileOrderCommentsAndBlankLinesIgnored() {
    Keyring k = Keyring.parse("# new key, primary since step 2\n" + b.toBase64() + "\r\n\n   \n# old key\n  " + a.toBase64()
        + "  \n" + c.toBase64());
    assertEquals(b, k.primary());
    assertEquals(List.of(b, a, c), k.keys());
    assertEquals(List.of(b.fingerprint(), a.fingerprint(), c.fingerprint()), k.fingerprints());
  }

  @Test
  void aBadLineIsNamedByNumber() {
    var e = assertThrows(IllegalArgumentException.class, () -> Keyring.parse(a.toBase64() + "\n\nnot-a-key!\n"));
    assertEquals("line 3: not base64", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Keyring.parse(a.toBase64() + "\nc2hvcnQ=\n"));
    assertEquals("line 2: 5 bytes, want 32", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Keyring.parse("# one key\nc2hvcnQ=\n"));
    assertEquals("5 bytes, want 32", e.getMessage(), "a one-key file keeps the short message");
  }

  @Test
  void anEmptyKeyringAnOverlongOneAndADuplicateAreRefused() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Keyring.parse("# only a comment\n\n")).getMessage()
        .startsWith("no key"));
    StringBuilder five = new StringBuilder();
    for (int i = 0; i <= Keyring.MAX_KEYS; i++) {
      five.append(ClusterKey.generate().toBase64()).append('\n');
    }
    assertEquals("5 keys, at most 4 are accepted",
        assertThrows(IllegalArgumentException.class, () -> Keyring.parse(five.toString())).getMessage());
    assertEquals("key " + a.fingerprint() + " is listed twice",
        assertThrows(IllegalArgumentException.class, () -> Keyring.of(a, b, a)).getMessage());
  }

  @Test
  void fingerprintsAreStableShortAndDistinct() {
    assertEquals(a.fingerprint(), ClusterKey.parse(a.toBase64()).fingerprint());
    assertTrue(a.fingerprint().matches("[0-9a-f]{16}"), a.fingerprint());
    assertNotEquals(a.fingerprint(), b.fingerprint());
    assertTrue(!Keyring.of(a).toString().contains(a.toBase64()), "never prints a key");
  }

  @Test
  void packetsSealedUnderTheNewPrimaryOpenWhereItIsOnlyAcceptedAndNowhereElse() {
    var clock = java.time.Clock.systemUTC();
    PacketAuth rotated = new PacketAuth(Keyring.of(b, a), clock); // step 2 done here
    PacketAuth accepting = new PacketAuth(Keyring.of(a, b), clock); // step 1 done here
    PacketAuth old = new PacketAuth(Keyring.of(a), clock); // not yet touched
    byte[] payload = {1, 2, 3};
    assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), bytes(accepting.open("t", rotated.seal("t", payload))));
    assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), bytes(rotated.open("t", accepting.seal("t", payload))));
    assertEquals(null, old.open("t", rotated.seal("t", payload)), "a host without the new key refuses it");
    old.use(Keyring.of(a, b));
    assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), bytes(old.open("t", rotated.seal("t", payload))), "after reload");
    rotated.use(Keyring.of(b)); // step 3: old key removed
    assertEquals(null, rotated.open("t", new PacketAuth(Keyring.of(a), clock).seal("t", payload)), "old key refused");
  }

  @Test
  void announcementsVerifyUnderAnyAcceptedKeyAndNameTheSigner() {
    Announced ann = Fixtures.announcement("n1", "10.0.0.1", 1, 1);
    String signedWithB = new AnnouncementCodec(Keyring.of(b, a)).seal(ann);
    AnnouncementCodec accepting = new AnnouncementCodec(Keyring.of(a, b));
    AnnouncementCodec.Decoded d = accepting.open(signedWithB);
    assertEquals(ann, d.announcement().orElseThrow());
    assertEquals(b.fingerprint(), d.signer());
    assertEquals(a.fingerprint(), accepting.open(accepting.seal(ann)).signer(), "sealed with the primary");
    AnnouncementCodec onlyA = new AnnouncementCodec(Keyring.of(a));
    assertTrue(onlyA.open(signedWithB).problem().contains("signature invalid"), onlyA.open(signedWithB).problem());
    accepting.use(Keyring.of(a));
    assertTrue(!accepting.open(signedWithB).verified(), "key b removed");
  }

  private static List<Byte> bytes(byte[] b) {
    if (b == null) {
      return null;
    }
    java.util.ArrayList<Byte> l = new java.util.ArrayList<>();
    for (byte x : b) {
      l.add(x);
    }
    return l;
  }
}
