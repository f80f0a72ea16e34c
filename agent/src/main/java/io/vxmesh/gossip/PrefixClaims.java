package io.vxmesh.gossip;

import io.vxmesh.net.IpPrefix;
import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * Claimed pod CIDRs, indexed by first address, so "does this prefix overlap any claim?" is
 * O(log n) instead of a scan (the validator runs over thousands of members on every change).
 * Claims never overlap each other (an overlapping claim is refused), so only the nearest claim
 * at or below the new prefix's start, and the nearest above it, can overlap.
 */
final class PrefixClaims {
  private record Claim(IpPrefix prefix, BigInteger last, String owner) {}

  private final TreeMap<BigInteger, Claim> v4 = new TreeMap<>();
  private final TreeMap<BigInteger, Claim> v6 = new TreeMap<>();

  /** A description of the claim {@code p} overlaps ("10.234.0.0/16 claimed by a"), or null. */
  String overlap(IpPrefix p) {
    Claim c = find(p);
    return c == null ? null : c.prefix + " claimed by " + c.owner;
  }

  /** The owner of the claim {@code p} overlaps, or null. */
  String ownerOf(IpPrefix p) {
    Claim c = find(p);
    return c == null ? null : c.owner;
  }

  private Claim find(IpPrefix p) {
    TreeMap<BigInteger, Claim> m = p.isIpv4() ? v4 : v6;
    BigInteger first = first(p);
    Map.Entry<BigInteger, Claim> below = m.floorEntry(first);
    if (below != null && below.getValue().last.compareTo(first) >= 0) {
      return below.getValue();
    }
    Map.Entry<BigInteger, Claim> above = m.ceilingEntry(first);
    if (above != null && above.getKey().compareTo(last(p)) <= 0) {
      return above.getValue();
    }
    return null;
  }

  /** Records a claim; the caller checked {@link #overlap} first. */
  void claim(IpPrefix p, String owner) {
    (p.isIpv4() ? v4 : v6).put(first(p), new Claim(p.network(), last(p), owner));
  }

  private static BigInteger first(IpPrefix p) {
    return new BigInteger(1, p.network().address().getAddress());
  }

  private static BigInteger last(IpPrefix p) {
    int bits = p.address().getAddress().length * 8;
    return first(p).add(BigInteger.ONE.shiftLeft(bits - p.prefixLength())).subtract(BigInteger.ONE);
  }
}
