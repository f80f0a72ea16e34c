package io.vxmesh.netlink;

/** A decoded rtnetlink notification, delivered by {@link NetlinkMonitor}. */
public sealed interface NetlinkEvent {
  /** True for RTM_DEL* notifications. */
  boolean deleted();

  record LinkEvent(boolean deleted, Link link) implements NetlinkEvent {}

  record AddressEvent(boolean deleted, Address address) implements NetlinkEvent {}

  record NeighEvent(boolean deleted, Neigh neigh) implements NetlinkEvent {}

  record FdbEvent(boolean deleted, Fdb fdb) implements NetlinkEvent {}

  record RouteEvent(boolean deleted, Route route) implements NetlinkEvent {}

  record NexthopEvent(boolean deleted, Nexthop nexthop) implements NetlinkEvent {}

  /** The kernel dropped notifications (ENOBUFS): state must be re-read from a dump. */
  record Overrun() implements NetlinkEvent {
    @Override
    public boolean deleted() {
      return false;
    }
  }
}
