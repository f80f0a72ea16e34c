package io.vxmesh.datapath;

import io.vxmesh.netlink.Address;
import io.vxmesh.netlink.Link;
import io.vxmesh.netlink.Netlink;
import io.vxmesh.netlink.VxlanInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VTEP device, ensured idempotently (the seed's {@code ip link add vxlan-test type vxlan id
 * 10001 dstport 4899 local 10.211.55.5 dev enp0s5 nolearning}, then address, MAC, MTU, up).
 * A device whose VNI, port, local IP, underlay or learning differ cannot be changed in place
 * reliably, so it is deleted and created again; everything else is set in place.
 */
public final class VtepDevice {
  private static final Logger log = LoggerFactory.getLogger(VtepDevice.class);
  /** VXLAN over IPv4 adds 50 bytes: outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
  public static final int VXLAN_OVERHEAD = 50;

  private VtepDevice() {}

  /** Default VTEP MTU: the underlay's MTU minus {@value #VXLAN_OVERHEAD}. */
  public static int defaultMtu(int underlayMtu) {
    return underlayMtu - VXLAN_OVERHEAD;
  }

  /** Creates, reuses or recreates the device, then sets MAC, address, MTU and up; returns the ifindex. */
  public static int ensure(Netlink nl, VtepSpec s) {
    int underlay = s.underlay() == null || s.underlay().isBlank() ? 0 : nl.link(s.underlay()).index();
    VxlanInfo want = new VxlanInfo(s.vni(), s.port(), s.local(), underlay, false);
    Link link = nl.linkByName(s.device()).orElse(null);
    if (link != null && !want.equals(link.vxlan())) {
      log.warn("drift repaired device={} drifted=device reason={} have={} want={}", s.device(), "VTEP settings differ; recreated",
          link.vxlan() == null ? link.kind() : link.vxlan(), want);
      nl.linkDel(link.index());
      link = null;
    }
    if (link == null) {
      link = nl.linkAdd(s.device(), want, s.mac(), s.mtu());
      log.info("vtep created device={} index={} vni={} port={}", s.device(), link.index(), s.vni(), s.port());
    }
    int idx = link.index();
    if (!s.mac().equals(link.mac())) {
      nl.linkSetMac(idx, s.mac());
    }
    if (s.mtu() > 0 && link.mtu() != s.mtu()) {
      nl.linkSetMtu(idx, s.mtu());
    }
    boolean have = false;
    for (Address a : nl.addrList(idx)) {
      if (a.prefix().equals(s.address())) {
        have = true;
      } else if (a.prefix().isIpv4()) {
        log.info("vtep remove stale address device={} address={}", s.device(), a.prefix());
        nl.addrDel(idx, a.prefix());
      }
    }
    if (!have) {
      nl.addrReplace(idx, s.address());
    }
    if (!link.up()) {
      nl.linkSetUp(idx);
    }
    return idx;
  }
}
