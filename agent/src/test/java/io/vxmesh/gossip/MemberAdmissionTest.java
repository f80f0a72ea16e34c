package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.atomix.cluster.Member;
import io.atomix.utils.net.Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The member limit and property cap on their own, and the split of oversized gossip. */
class MemberAdmissionTest {
  final AtomicLong now = new AtomicLong(1_000_000);
  final MemberAdmission admission = new MemberAdmission("self", 4, now::get);
  final Address from = Address.from("127.0.0.1:7947");

  static Member member(String name, int propertyChars) {
    Properties p = new Properties();
    p.setProperty(AnnouncementCodec.PROPERTY, "x".repeat(propertyChars));
    return Member.builder().withId(name).withAddress(Address.from("127.0.0.1:1")).withProperties(p).build();
  }

  @Test
  void newMembersBeyondTheLimitAreRefusedKnownOnesKeepEveryUpdate() {
    assertTrue(admission.admit(member("a", 200), from));
    assertTrue(admission.admit(member("b", 200), from));
    assertTrue(admission.admit(member("c", 200), from), "self + 3 = 4");
    assertFalse(admission.admit(member("d", 200), from), "a fifth member is refused");
    assertTrue(admission.admit(member("a", 300), from), "a known member's update passes");
    assertTrue(admission.admit(member("self", 200), from), "self always");
    assertEquals(1, admission.refused());

    // SWIM forgot b and c (failed): after the grace their places are free again.
    admission.known(Set.of("self", "a"));
    assertFalse(admission.admit(member("d", 200), from), "within the grace, what was let in still counts");
    now.addAndGet(11_000);
    admission.known(Set.of("self", "a"));
    assertTrue(admission.admit(member("d", 200), from));
  }

  @Test
  void oversizedPropertiesAreRefusedEvenForKnownMembers() {
    assertTrue(admission.admit(member("a", 200), from));
    assertFalse(admission.admit(member("a", MemberAdmission.MAX_PROPERTY_CHARS), from));
    assertFalse(admission.admit(member("b", MemberAdmission.MAX_PROPERTY_CHARS), from));
    assertEquals(2, admission.refused());
  }

  /** A SWIM update (Atomix's own member class) for {@code name}. */
  static Object update(SwimForgery f, String name, int propertyChars) throws ReflectiveOperationException {
    return f.member(name, Address.from("127.0.0.1:1"), member(name, propertyChars).properties(), 1);
  }

  @Test
  void gossipIsFilteredBeforeSwimSeesItAndOversizedListsAreSplit() throws Exception {
    SwimForgery f = new SwimForgery(ClusterKey.generate());
    List<Object> updates = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      updates.add(update(f, "m" + i, 200));
    }
    byte[] payload = SwimCodec.encode(new ArrayList<>(updates));
    Object kept = SwimCodec.decode(admission.filter(MemberAdmission.GOSSIP, payload, from));
    assertEquals(List.of("m0", "m1", "m2"), ((List<?>) kept).stream().map(m -> ((Member) m).id().id()).toList());
    assertTrue(admission.filter("some-other-subject", payload, from) == payload, "other subjects untouched");

    List<Object> many = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      many.add(update(f, "n" + i, 400));
    }
    many.add(update(f, "self", 200));
    byte[] big = SwimCodec.encode(new ArrayList<>(many));
    assertTrue(big.length > MemberAdmission.DATAGRAM_BUDGET, "test data is oversized: " + big.length);
    List<byte[]> parts = admission.split(MemberAdmission.GOSSIP, big);
    assertTrue(parts.size() >= 2 && parts.stream().allMatch(p -> p.length <= MemberAdmission.DATAGRAM_BUDGET),
        "parts: " + parts.stream().map(p -> p.length).toList());
    assertEquals("self", ((Member) ((List<?>) SwimCodec.decode(parts.get(0))).get(0)).id().id(), "own update first");
    assertEquals(301, parts.stream().mapToInt(p -> ((List<?>) SwimCodec.decode(p)).size()).sum(), "nothing lost");
  }
}
