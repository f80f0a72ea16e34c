package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vxmesh.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrefixClaimsTest {
  @Test
  void indexAgreesWithPairwiseOverlapOnRandomPrefixes() {
    Random r = new Random(3);
    for (int round = 0; round < 50; round++) {
      PrefixClaims index = new PrefixClaims();
      List<IpPrefix> claimed = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        byte[] a = {10, (byte) r.nextInt(4), (byte) r.nextInt(256), (byte) r.nextInt(256)};
        IpPrefix p = IpPrefix.of(a, 14 + r.nextInt(15)).network();
        boolean brute = claimed.stream().anyMatch(c -> c.overlaps(p));
        assertEquals(brute, index.overlap(p) != null, "prefix " + p + " against " + claimed);
        if (!brute) {
          index.claim(p, "m" + i);
          claimed.add(p);
        }
      }
    }
  }

  @Test
  void ipv6AndIpv4AreSeparate() {
    PrefixClaims index = new PrefixClaims();
    index.claim(IpPrefix.parse("10.0.0.0/8"), "a");
    assertEquals(null, index.overlap(IpPrefix.parse("::/0")));
    index.claim(IpPrefix.parse("fd00::/64"), "b");
    assertEquals("fd00:0:0:0:0:0:0:0/64 claimed by b", index.overlap(IpPrefix.parse("fd00::1:0/112")));
  }
}
