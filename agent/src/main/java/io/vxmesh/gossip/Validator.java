package io.vxmesh.gossip;

import io.vxmesh.net.IpPrefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Decides, purely and deterministically, what every member's announcement is worth. Every node
 * runs this over the same gossip state and must reach the same answer, including about itself,
 * so nothing here depends on arrival order, the clock or which node computes it.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>missing, undecodable, unsigned, wrongly signed or a field malformed (the codec's
 *       verdict, see {@link AnnouncementCodec}) → {@code UNTRUSTED};
 *   <li>the announcement names another node, its host IP differs from the gossip address, or a
 *       VTEP IP lies outside the shared VTEP prefix of its VNI →
 *       {@code UNTRUSTED}: these contradict the cluster-wide configuration or the transport
 *       itself, nobody else "owns" the claim, so it is not a race between members;
 *   <li>state LEAVING → {@code LEAVING} (claims nothing, never programmed);
 *   <li>in claim order (claimed_at_ms, then node name), each member claims its VTEP MACs, VTEP
 *       IPs (per VNI) and pod CIDRs (globally: routes share one table); a member that collides
 *       with an earlier claim → {@code CONFLICT} and claims nothing, so a later loser cannot
 *       knock out a third member;
 *   <li>state RESTARTING → {@code SUSPECT} with reason "restarting" (still programmed);
 *       otherwise {@code ALIVE}.
 * </ol>
 * Networks whose VNI is not in the local configuration are ignored entirely.
 *
 * <p>Works on announcements already verified and decoded ({@link MemberTracker} decodes each
 * member's property once, when it changes), so re-validating thousands of members after one
 * change costs no HMAC at all. Stateless apart from its context.
 */
public final class Validator {

  /** One member as gossip reports it, with its property as {@link AnnouncementCodec#open} decoded it. */
  public record Candidate(String name, InetAddress gossipHost, AnnouncementCodec.Decoded decoded) {}

  /** The outcome for one member; {@code announcement} is non-null whenever it verified and decoded. */
  public record Verdict(String name, MemberStatus status, String reason, Announced announcement) {}

  private final ValidationContext context;

  public Validator(ValidationContext context) {
    this.context = context;
  }

  public ValidationContext context() {
    return context;
  }

  /** Verdicts by member name (sorted). Duplicate names: the first occurrence wins. */
  public SortedMap<String, Verdict> validate(Collection<Candidate> members) {
    SortedMap<String, Verdict> out = new TreeMap<>();
    List<Claimant> claimants = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Candidate c : members) {
      if (!names.add(c.name())) {
        continue;
      }
      AnnouncementCodec.Decoded d = c.decoded();
      if (!d.verified()) {
        out.put(c.name(), new Verdict(c.name(), MemberStatus.UNTRUSTED, d.problem(), null));
        continue;
      }
      Announced a = d.announcement().get();
      String problem = inconsistency(c, a);
      if (problem != null) {
        out.put(c.name(), new Verdict(c.name(), MemberStatus.UNTRUSTED, problem, a));
      } else if (a.state() == Announced.State.LEAVING) {
        out.put(c.name(), new Verdict(c.name(), MemberStatus.LEAVING, "leaving", a));
      } else {
        claimants.add(new Claimant(c.name(), a, networksOfInterest(a)));
      }
    }
    claimants.sort(Comparator.<Claimant>comparingLong(x -> x.announcement.claimedAtMs())
        .thenComparing(x -> x.name));
    Map<String, String> owners = new HashMap<>(); // claim key -> owner name
    PrefixClaims podCidrs = new PrefixClaims();
    for (Claimant c : claimants) {
      String conflict = firstConflict(c, owners, podCidrs);
      if (conflict != null) {
        out.put(c.name, new Verdict(c.name, MemberStatus.CONFLICT, conflict, c.announcement));
        continue;
      }
      for (Announced.Network n : c.nets) {
        owners.put(macKey(n), c.name);
        owners.put(ipKey(n), c.name);
        if (podCidrs.overlap(n.podCidr()) == null) { // a member overlapping itself keeps one entry
          podCidrs.claim(n.podCidr(), c.name);
        }
      }
      boolean restarting = c.announcement.state() == Announced.State.RESTARTING;
      out.put(c.name, new Verdict(c.name, restarting ? MemberStatus.SUSPECT : MemberStatus.ALIVE,
          restarting ? "restarting" : "", c.announcement));
    }
    return out;
  }

  private String firstConflict(Claimant c, Map<String, String> owners, PrefixClaims podCidrs) {
    for (Announced.Network n : c.nets) {
      String macOwner = owners.get(macKey(n));
      if (macOwner != null) {
        return "VTEP MAC " + n.vtepMac() + " (VNI " + n.vni() + ") already claimed by " + macOwner;
      }
      String ipOwner = owners.get(ipKey(n));
      if (ipOwner != null) {
        return "VTEP IP " + n.vtepIp().address().getHostAddress() + " (VNI " + n.vni() + ") already claimed by " + ipOwner;
      }
      String overlap = podCidrs.overlap(n.podCidr());
      if (overlap != null) {
        return "pod CIDR " + n.podCidr() + " overlaps " + overlap;
      }
    }
    return null;
  }

  private static String macKey(Announced.Network n) {
    return "mac/" + n.vni() + "/" + n.vtepMac();
  }

  private static String ipKey(Announced.Network n) {
    return "ip/" + n.vni() + "/" + n.vtepIp().address().getHostAddress();
  }

  /** Why the announcement contradicts the transport or the shared config, or null. */
  private String inconsistency(Candidate c, Announced a) {
    if (!a.nodeName().equals(c.name())) {
      return "announcement names node '" + a.nodeName() + "'";
    }
    InetAddress host = a.hostIp();
    if (c.gossipHost() == null || !host.equals(c.gossipHost())) {
      return "host IP " + host.getHostAddress() + " differs from gossip address "
          + (c.gossipHost() == null ? "?" : c.gossipHost().getHostAddress());
    }
    for (Announced.Network n : a.networks()) {
      IpPrefix shared = context.vtepPrefixes().get(n.vni());
      if (shared != null && !shared.contains(n.vtepIp().address())) {
        return "VTEP IP " + n.vtepIp().address().getHostAddress() + " outside the VTEP subnet " + shared.network()
            + " of VNI " + n.vni();
      }
    }
    return null;
  }

  private List<Announced.Network> networksOfInterest(Announced a) {
    return a.networks().stream().filter(n -> context.vtepPrefixes().containsKey(n.vni())).toList();
  }

  private record Claimant(String name, Announced announcement, List<Announced.Network> nets) {}
}
