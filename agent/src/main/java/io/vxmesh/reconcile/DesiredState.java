package io.vxmesh.reconcile;

import io.vxmesh.datapath.Peer;
import io.vxmesh.gossip.Announced;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MembershipView;
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
  static Peer peerFor(Announced a, int vni) {
    for (Announced.Network n : a.networks()) {
      if (n.vni() != vni) {
        continue;
      }
      if (a.hostIp() instanceof Inet4Address host && n.vtepIp().address() instanceof Inet4Address vtep) {
        return new Peer(a.nodeName(), host, n.vtepMac(), vtep, n.podCidr());
      }
      return null; // IPv6 underlay/VTEP is not supported by this datapath yet
    }
    return null;
  }
}
