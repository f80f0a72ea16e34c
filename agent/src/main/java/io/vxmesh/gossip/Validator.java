package io.vxmesh.gossip;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.PodCidrRules;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Decides, purely and deterministically, what every member's announcement is worth. Every node
 * runs this over the same gossip state and must reach the same answer, including about itself,
 * so nothing here depends on arrival order, the clock or which node computes it (the two local
 * inputs — this node's host proofs and its underlay subnet — only ever refuse, never pick a
 * winner). The rule is written down with its reasoning in docs/claims.md.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>missing, undecodable, unsigned, wrongly signed or a field malformed (the codec's
 *       verdict, see {@link AnnouncementCodec}) → {@code UNTRUSTED};
 *   <li>the announcement names another node, its host IP differs from the gossip address, a
 *       VTEP IP lies outside the shared VTEP prefix of its VNI, or a pod CIDR breaks
 *       {@link PodCidrRules} (absurd, over a member's host IP, the VTEP subnet or the local
 *       underlay) → {@code UNTRUSTED}: these contradict the cluster-wide configuration or the
 *       transport itself, nobody else "owns" the claim, so it is not a race between members;
 *   <li>its gossip address answered this node's challenge with another name →
 *       {@code UNTRUSTED}; not answered yet → {@code UNPROVEN} ({@link HostProof});
 *   <li>state LEAVING → {@code LEAVING} (claims nothing, never programmed);
 *   <li>in claim order, each member claims its VTEP MACs, VTEP IPs (per VNI) and pod CIDRs
 *       (globally: routes share one table); a member that collides with an earlier claim →
 *       {@code CONFLICT} and claims nothing, so a later loser cannot knock out a third member.
 *       Claim order: most witnesses first (other trusted members whose
 *       {@link Announced#upheld()} lists its current claims, see {@link #vote}), then the earlier {@code claimed_at_ms}, then the lower
 *       name. Witnesses are the only thing a key holder cannot write for itself, so a live
 *       owner that the mesh has accepted keeps its claims against any newcomer, backdated or
 *       not; newcomers no one upholds still race by claim time;
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

  /**
   * One member as gossip reports it, with its property as {@link AnnouncementCodec#open} decoded it
   * and what this node's challenge to its gossip address found.
   */
  public record Candidate(String name, InetAddress gossipHost, AnnouncementCodec.Decoded decoded, HostProof proof) {
    /** A member whose address is proven. */
    public Candidate(String name, InetAddress gossipHost, AnnouncementCodec.Decoded decoded) {
      this(name, gossipHost, decoded, HostProof.PROVEN);
    }
  }

  /**
   * The outcome for one member; {@code announcement} is non-null whenever it verified and decoded;
   * {@code contested} when another member's claim collides with one of its own (either side);
   * {@code witnesses} how many other trusted members uphold its current claims.
   */
  public record Verdict(String name, MemberStatus status, String reason, Announced announcement, boolean contested,
      int witnesses) {
    public Verdict(String name, MemberStatus status, String reason, Announced announcement) {
      this(name, status, reason, announcement, false, 0);
    }
  }

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
    List<InetAddress> hostIps = new ArrayList<>();
    for (Candidate c : members) {
      if (c.gossipHost() != null) {
        hostIps.add(c.gossipHost());
      }
    }
    List<PodCidrRules.Reserved> reserved = PodCidrRules.gossipReserved(hostIps, context.vtepPrefixes().values(),
        context.underlaySubnets());
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
      String problem = inconsistency(c, a, reserved);
      HostProof proof = c.proof() == null ? HostProof.PENDING : c.proof();
      if (problem != null) {
        out.put(c.name(), new Verdict(c.name(), MemberStatus.UNTRUSTED, problem, a));
      } else if (proof.state() == HostProof.State.REFUTED) {
        out.put(c.name(), new Verdict(c.name(), MemberStatus.UNTRUSTED, "host address " + c.gossipHost().getHostAddress()
            + " answered as node '" + proof.detail() + "'", a));
      } else if (proof.state() == HostProof.State.PENDING) {
        out.put(c.name(), new Verdict(c.name(), MemberStatus.UNPROVEN, "host address "
            + c.gossipHost().getHostAddress() + " not proven yet", a));
      } else if (a.state() == Announced.State.LEAVING) {
        out.put(c.name(), new Verdict(c.name(), MemberStatus.LEAVING, "leaving", a));
      } else {
        claimants.add(new Claimant(c.name(), a, networksOfInterest(a), vote(a)));
      }
    }
    Map<String, Integer> witnesses = new HashMap<>(); // vote -> number of other trusted members casting it
    for (Claimant w : claimants) {
      for (String vote : w.announcement.upheld()) {
        if (!vote.startsWith(w.name + " ")) {
          witnesses.merge(vote, 1, Integer::sum);
        }
      }
    }
    // Each claimant's vote string is built once: the sort used to rebuild it per comparison.
    claimants.sort(Comparator.<Claimant>comparingInt(x -> -witnesses.getOrDefault(x.vote, 0))
        .thenComparingLong(x -> x.announcement.claimedAtMs())
        .thenComparing(x -> x.name));
    Map<String, String> owners = new HashMap<>(); // claim key -> owner name
    PrefixClaims podCidrs = new PrefixClaims();
    Set<String> contested = contested(claimants);
    List<Verdict> accepted = new ArrayList<>();
    Map<String, String> votes = new HashMap<>();
    for (Claimant c : claimants) {
      String[] conflict = firstConflict(c, owners, podCidrs);
      if (conflict != null) {
        out.put(c.name, new Verdict(c.name, MemberStatus.CONFLICT, conflict[0], c.announcement, true,
            witnesses.getOrDefault(c.vote, 0)));
        continue;
      }
      for (Announced.Network n : c.nets) {
        owners.put(macKey(n), c.name);
        owners.put(ipKey(n), c.name);
        if (podCidrs.overlap(n.podCidr()) == null) { // a member overlapping itself keeps one entry
          podCidrs.claim(n.podCidr(), c.name);
        }
      }
      votes.put(c.name, c.vote);
      boolean restarting = c.announcement.state() == Announced.State.RESTARTING;
      accepted.add(new Verdict(c.name, restarting ? MemberStatus.SUSPECT : MemberStatus.ALIVE,
          restarting ? "restarting" : "", c.announcement));
    }
    for (Verdict v : accepted) {
      out.put(v.name(), new Verdict(v.name(), v.status(), v.reason(), v.announcement(), contested.contains(v.name()),
          witnesses.getOrDefault(votes.get(v.name()), 0)));
    }
    return out;
  }

  /**
   * Every claimant whose claims collide with another claimant's, whichever of them wins. Not
   * only the pairs the claim order runs into: a member whose claims collide only with a member
   * that lost to someone else must still count as contested, or nodes hold it as uncontested and
   * vote for it (docs/claims.md). A pure function of the claims, independent of the votes.
   */
  private static Set<String> contested(List<Claimant> claimants) {
    Map<String, Set<String>> byKey = new HashMap<>(); // claim key -> names claiming it
    List<PrefixClaims.Wanted> cidrs = new ArrayList<>();
    for (Claimant c : claimants) {
      for (Announced.Network n : c.nets) {
        byKey.computeIfAbsent(macKey(n), k -> new HashSet<>()).add(c.name);
        byKey.computeIfAbsent(ipKey(n), k -> new HashSet<>()).add(c.name);
        cidrs.add(new PrefixClaims.Wanted(n.podCidr(), c.name));
      }
    }
    Set<String> out = PrefixClaims.overlappingOwners(cidrs);
    for (Set<String> names : byKey.values()) {
      if (names.size() > 1) {
        out.addAll(names);
      }
    }
    return out;
  }

  /** {reason, owner} of the first claim of {@code c} that is already held, or null. */
  private String[] firstConflict(Claimant c, Map<String, String> owners, PrefixClaims podCidrs) {
    for (Announced.Network n : c.nets) {
      String macOwner = owners.get(macKey(n));
      if (macOwner != null) {
        return new String[] {"VTEP MAC " + n.vtepMac() + " (VNI " + n.vni() + ") already claimed by " + macOwner, macOwner};
      }
      String ipOwner = owners.get(ipKey(n));
      if (ipOwner != null) {
        return new String[] {"VTEP IP " + n.vtepIp().address().getHostAddress() + " (VNI " + n.vni()
            + ") already claimed by " + ipOwner, ipOwner};
      }
      String overlap = podCidrs.overlap(n.podCidr());
      if (overlap != null) {
        return new String[] {"pod CIDR " + n.podCidr() + " overlaps " + overlap, podCidrs.ownerOf(n.podCidr())};
      }
    }
    return null;
  }
  /**
   * The entry of {@link Announced#upheld()} that backs {@code a}'s current claims: its name and
   * every network's VNI, VTEP MAC, VTEP IP and pod CIDR. A vote names the claims, not only the
   * member, so a member that changes its claims starts again with no witnesses.
   */
  public static String vote(Announced a) {
    StringBuilder b = new StringBuilder(a.nodeName()).append(' ');
    a.networks().stream()
        .map(n -> n.vni() + "/" + n.vtepMac() + "/" + n.vtepIp().address().getHostAddress() + "/" + n.podCidr())
        .sorted()
        .forEach(x -> b.append(x).append(','));
    return b.toString();
  }

  private static String macKey(Announced.Network n) {
    return "mac/" + n.vni() + "/" + n.vtepMac();
  }

  private static String ipKey(Announced.Network n) {
    return "ip/" + n.vni() + "/" + n.vtepIp().address().getHostAddress();
  }

  /** Why the announcement contradicts the transport or the shared config, or null. */
  private String inconsistency(Candidate c, Announced a, List<PodCidrRules.Reserved> reserved) {
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
    for (Announced.Network n : networksOfInterest(a)) {
      Optional<String> bad = PodCidrRules.gossipProblem(n.podCidr(), reserved);
      if (bad.isPresent()) {
        return bad.get();
      }
    }
    return null;
  }

  private List<Announced.Network> networksOfInterest(Announced a) {
    return a.networks().stream().filter(n -> context.vtepPrefixes().containsKey(n.vni())).toList();
  }

  private record Claimant(String name, Announced announcement, List<Announced.Network> nets, String vote) {}
}
