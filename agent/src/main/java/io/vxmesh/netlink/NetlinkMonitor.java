package io.vxmesh.netlink;

import static io.vxmesh.netlink.nl.Rtnl.*;

import io.vxmesh.netlink.nl.NetlinkSocket;
import io.vxmesh.netlink.nl.NlMessage;
import java.util.function.Consumer;

/**
 * {@code ip monitor link address neigh route nexthop}: a separate socket subscribed to the
 * link, IPv4 address, neighbour (incl. FDB), IPv4 route and nexthop groups, decoded on its own
 * daemon thread and handed to a listener. The listener runs on that thread and must be quick
 * (e.g. just wake a reconciler). A receive buffer overflow is reported as
 * {@link NetlinkEvent.Overrun}. {@link #close()} stops the thread within ~250 ms.
 */
public final class NetlinkMonitor implements AutoCloseable {
  private static final int[] GROUPS = {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_NEIGH, RTNLGRP_IPV4_ROUTE, RTNLGRP_NEXTHOP};

  private final NotificationThread<NetlinkEvent> thread;

  private NetlinkMonitor(NetlinkSocket sock, Consumer<NetlinkEvent> listener) {
    this.thread = new NotificationThread<>("netlink-monitor", sock, NetlinkMonitor::decode, listener, new NetlinkEvent.Overrun());
  }

  /** Starts a monitor in the current network namespace. */
  public static NetlinkMonitor start(Consumer<NetlinkEvent> listener) {
    return new NetlinkMonitor(NetlinkSocket.open(GROUPS), listener);
  }

  /** Starts a monitor inside the named network namespace. */
  public static NetlinkMonitor startIn(String netns, Consumer<NetlinkEvent> listener) {
    return new NetlinkMonitor(NetlinkSocket.openIn(netns, GROUPS), listener);
  }

  /** Decodes one notification; null for message types the monitor does not report. */
  static NetlinkEvent decode(NlMessage m) {
    return switch (m.type()) {
      case RTM_NEWLINK, RTM_DELLINK -> new NetlinkEvent.LinkEvent(m.type() == RTM_DELLINK, RtCodec.link(m));
      case RTM_NEWADDR, RTM_DELADDR -> new NetlinkEvent.AddressEvent(m.type() == RTM_DELADDR, RtCodec.address(m));
      case RTM_NEWNEIGH, RTM_DELNEIGH -> RtCodec.isFdb(m)
          ? new NetlinkEvent.FdbEvent(m.type() == RTM_DELNEIGH, RtCodec.fdb(m))
          : new NetlinkEvent.NeighEvent(m.type() == RTM_DELNEIGH, RtCodec.neigh(m));
      case RTM_NEWROUTE, RTM_DELROUTE -> new NetlinkEvent.RouteEvent(m.type() == RTM_DELROUTE, RtCodec.route(m));
      case RTM_NEWNEXTHOP, RTM_DELNEXTHOP -> {
        Nexthop n = RtCodec.nexthop(m);
        yield n == null ? null : new NetlinkEvent.NexthopEvent(m.type() == RTM_DELNEXTHOP, n);
      }
      default -> null;
    };
  }

  @Override
  public void close() {
    thread.close();
  }
}
