package io.vxmesh.gossip;

import io.vxmesh.net.IpPrefix;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** One pod CIDR as its member announces it, for {@link #overlappingOwners}. */
  record Wanted(IpPrefix prefix, String owner) {}

  /**
   * The owners of every prefix in {@code wanted} that overlaps another owner's, whoever would win:
   * {@link #overlap} only sees what was claimed, so behind a member that lost elsewhere a
   * collision would hide. Two prefixes overlap only when one contains the other, so sorted by
   * first address (shorter first) each prefix overlaps exactly the still-open prefixes that
   * contain it: O(n log n), one pass.
   */
  static Set<String> overlappingOwners(List<Wanted> wanted) {
    Set<String> out = new HashSet<>();
    for (boolean v4 : new boolean[] {true, false}) {
      List<Wanted> family = new ArrayList<>();
      for (Wanted w : wanted) {
        if (w.prefix().isIpv4() == v4) {
          family.add(new Wanted(w.prefix().network(), w.owner()));
        }
      }
      family.sort(Comparator.<Wanted, BigInteger>comparing(w -> first(w.prefix()))
          .thenComparingInt(w -> w.prefix().prefixLength()));
      Deque<Wanted> open = new ArrayDeque<>(); // nested: each contains the next
      for (Wanted w : family) {
        BigInteger start = first(w.prefix());
        while (!open.isEmpty() && last(open.peek().prefix()).compareTo(start) < 0) {
          open.pop();
        }
        for (Wanted outer : open) {
          if (!outer.owner().equals(w.owner())) {
            out.add(outer.owner());
            out.add(w.owner());
          }
        }
        open.push(w);
      }
    }
    return out;
  }

  private static BigInteger first(IpPrefix p) {
    return new BigInteger(1, p.network().address().getAddress());
  }

  private static BigInteger last(IpPrefix p) {
    int bits = p.address().getAddress().length * 8;
    return first(p).add(BigInteger.ONE.shiftLeft(bits - p.prefixLength())).subtract(BigInteger.ONE);
  }
}
