package io.vxmesh.gossip;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.proto.Announcement;
import io.vxmesh.proto.NetworkAnnouncement;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Decides, purely and deterministically, what every member's announcement is worth. Every node
 * runs this over the same gossip state and must reach the same answer, including about itself,
 * so nothing here depends on arrival order, the clock or which node computes it.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>missing, undecodable, unsigned or wrongly signed → {@code UNTRUSTED};
 *   <li>the announcement names another node, its host IP differs from the gossip address, a
 *       field is malformed, or a VTEP IP lies outside the shared VTEP prefix of its VNI →
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
 * <p>Decoded announcements are cached by property value between calls (only the values of the
 * latest call are kept), so re-validating thousands of members after one change costs one
 * HMAC, not thousands. The cache never changes a result. Not thread-safe: one caller thread.
 */
public final class Validator {

  /** One member as gossip reports it. {@code property} is the raw announcement property (may be null). */
  public record Candidate(String name, InetAddress gossipHost, String property) {}

  /** The outcome for one member; {@code announcement} is non-null whenever the signature verified. */
  public record Verdict(String name, MemberStatus status, String reason, Announcement announcement) {}

  private final AnnouncementCodec codec;
  private final ValidationContext context;
  private Map<String, AnnouncementCodec.Decoded> decoded = new HashMap<>();

  public Validator(AnnouncementCodec codec, ValidationContext context) {
    this.codec = codec;
    this.context = context;
  }

  public ValidationContext context() {
    return context;
  }

  /** Verdicts by member name (sorted). Duplicate names: the first occurrence wins. */
  public SortedMap<String, Verdict> validate(Collection<Candidate> members) {
    SortedMap<String, Verdict> out = new TreeMap<>();
    List<Claimant> claimants = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    Map<String, AnnouncementCodec.Decoded> previous = decoded;
    decoded = new HashMap<>();
    for (Candidate c : members) {
      if (!names.add(c.name())) {
        continue;
      }
      AnnouncementCodec.Decoded d = c.property() == null ? codec.open(null)
          : decoded.computeIfAbsent(c.property(), p -> {
            AnnouncementCodec.Decoded hit = previous.get(p);
            return hit != null ? hit : codec.open(p);
          });
      if (!d.verified()) {
        out.put(c.name(), new Verdict(c.name(), MemberStatus.UNTRUSTED, d.problem(), null));
        continue;
      }
      Announcement a = d.announcement().get();
      String problem = inconsistency(c, a);
      if (problem != null) {
        out.put(c.name(), new Verdict(c.name(), MemberStatus.UNTRUSTED, problem, a));
      } else if (a.getState() == Announcement.State.LEAVING) {
        out.put(c.name(), new Verdict(c.name(), MemberStatus.LEAVING, "leaving", a));
      } else {
        claimants.add(new Claimant(c.name(), a, networksOfInterest(a)));
      }
    }
    claimants.sort(Comparator.<Claimant>comparingLong(x -> x.announcement.getClaimedAtMs())
        .thenComparing(x -> x.name));
    Map<String, String> owners = new HashMap<>(); // claim key -> owner name
    PrefixClaims podCidrs = new PrefixClaims();
    for (Claimant c : claimants) {
      String conflict = firstConflict(c, owners, podCidrs);
      if (conflict != null) {
        out.put(c.name, new Verdict(c.name, MemberStatus.CONFLICT, conflict, c.announcement));
        continue;
      }
      for (Net n : c.nets) {
        owners.put(macKey(n), c.name);
        owners.put(ipKey(n), c.name);
        if (podCidrs.overlap(n.podCidr) == null) { // a member overlapping itself keeps one entry
          podCidrs.claim(n.podCidr, c.name);
        }
      }
      boolean restarting = c.announcement.getState() == Announcement.State.RESTARTING;
      out.put(c.name, new Verdict(c.name, restarting ? MemberStatus.SUSPECT : MemberStatus.ALIVE,
          restarting ? "restarting" : "", c.announcement));
    }
    return out;
  }

  private String firstConflict(Claimant c, Map<String, String> owners, PrefixClaims podCidrs) {
    for (Net n : c.nets) {
      String macOwner = owners.get(macKey(n));
      if (macOwner != null) {
        return "VTEP MAC " + n.mac + " (VNI " + n.vni + ") already claimed by " + macOwner;
      }
      String ipOwner = owners.get(ipKey(n));
      if (ipOwner != null) {
        return "VTEP IP " + n.vtepIp.getHostAddress() + " (VNI " + n.vni + ") already claimed by " + ipOwner;
      }
      String overlap = podCidrs.overlap(n.podCidr);
      if (overlap != null) {
        return "pod CIDR " + n.podCidr + " overlaps " + overlap;
      }
    }
    return null;
  }

  private static String macKey(Net n) {
    return "mac/" + n.vni + "/" + n.mac;
  }

  private static String ipKey(Net n) {
    return "ip/" + n.vni + "/" + n.vtepIp.getHostAddress();
  }

  /** Why the announcement contradicts the transport or the shared config, or null. */
  private String inconsistency(Candidate c, Announcement a) {
    if (!a.getNodeName().equals(c.name())) {
      return "announcement names node '" + a.getNodeName() + "'";
    }
    InetAddress host = address(a.getHostIp().toByteArray());
    if (host == null) {
      return "host IP malformed (" + a.getHostIp().size() + " bytes)";
    }
    if (c.gossipHost() == null || !host.equals(c.gossipHost())) {
      return "host IP " + host.getHostAddress() + " differs from gossip address "
          + (c.gossipHost() == null ? "?" : c.gossipHost().getHostAddress());
    }
    for (NetworkAnnouncement n : a.getNetworksList()) {
      IpPrefix shared = context.vtepPrefixes().get(n.getVni());
      if (shared == null) {
        continue;
      }
      String malformed = malformed(n);
      if (malformed != null) {
        return "VNI " + n.getVni() + ": " + malformed;
      }
      InetAddress vtepIp = address(n.getVtepIp().toByteArray());
      if (!shared.contains(vtepIp)) {
        return "VTEP IP " + vtepIp.getHostAddress() + " outside the VTEP subnet " + shared.network()
            + " of VNI " + n.getVni();
      }
    }
    return null;
  }

  private static String malformed(NetworkAnnouncement n) {
    if (n.getVtepMac().size() != 6) {
      return "VTEP MAC malformed";
    }
    InetAddress vtepIp = address(n.getVtepIp().toByteArray());
    if (vtepIp == null) {
      return "VTEP IP malformed";
    }
    InetAddress pod = address(n.getPodCidrAddr().toByteArray());
    if (pod == null || n.getPodCidrPrefixLen() > pod.getAddress().length * 8) {
      return "pod CIDR malformed";
    }
    return null;
  }

  private List<Net> networksOfInterest(Announcement a) {
    List<Net> nets = new ArrayList<>();
    for (NetworkAnnouncement n : a.getNetworksList()) {
      if (context.vtepPrefixes().containsKey(n.getVni())) {
        nets.add(new Net(n.getVni(), new MacAddress(n.getVtepMac().toByteArray()),
            address(n.getVtepIp().toByteArray()),
            IpPrefix.of(n.getPodCidrAddr().toByteArray(), n.getPodCidrPrefixLen()).network()));
      }
    }
    return nets;
  }

  private static InetAddress address(byte[] b) {
    if (b.length != 4 && b.length != 16) {
      return null;
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private record Net(int vni, MacAddress mac, InetAddress vtepIp, IpPrefix podCidr) {}

  private record Claimant(String name, Announcement announcement, List<Net> nets) {}
}
