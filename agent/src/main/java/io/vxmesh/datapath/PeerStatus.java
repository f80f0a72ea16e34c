package io.vxmesh.datapath;

/**
 * Which of a peer's kernel objects are installed exactly as desired.
 *
 * @param route the route points at the peer's nexthop and the nexthop at its VTEP IP
 */
public record PeerStatus(String peer, boolean neighbour, boolean fdb, boolean route) {
  public boolean complete() {
    return neighbour && fdb && route;
  }
}
