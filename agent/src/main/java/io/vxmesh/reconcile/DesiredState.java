package io.vxmesh.reconcile;

import io.vxmesh.datapath.Peer;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.proto.Announcement;
import io.vxmesh.proto.NetworkAnnouncement;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * The pure half of reconciliation: which peers one VNI should have, given the current view.
 * Only programmable members (trusted, alive or suspect) other than self that announce the VNI
 * become peers; the gossip layer has already verified and validated their announcements.
 */
public final class DesiredState {
  private DesiredState() {}

  /** Peers for {@code vni}, sorted by node name (the view is sorted already). */
  public static List<Peer> peersFor(MembershipView view, int vni) {
    List<Peer> peers = new ArrayList<>();
    for (MemberState m : view.programmablePeers()) {
      Peer p = peerFor(m.announcement(), vni);
      if (p != null) {
        peers.add(p);
      }
    }
    return peers;
  }

  /** The peer entry a member's announcement gives for one VNI, or null when it has none (or it is IPv6). */
  static Peer peerFor(Announcement a, int vni) {
    for (NetworkAnnouncement n : a.getNetworksList()) {
      if (n.getVni() != vni) {
        continue;
      }
      try {
        Inet4Address host = IpAddresses.v4(a.getHostIp().toByteArray());
        Inet4Address vtep = IpAddresses.v4(n.getVtepIp().toByteArray());
        MacAddress mac = new MacAddress(n.getVtepMac().toByteArray());
        IpPrefix pods = IpPrefix.of(n.getPodCidrAddr().toByteArray(), n.getPodCidrPrefixLen()).network();
        return new Peer(a.getNodeName(), host, mac, vtep, pods);
      } catch (IllegalArgumentException e) {
        return null; // IPv6 underlay/VTEP is not supported by this datapath yet
      }
    }
    return null;
  }
}
