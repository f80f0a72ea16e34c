package io.vxmesh.datapath;

/**
 * A peer (or orphan object) that could not be converged.
 *
 * @param peer peer name, "" for an orphan, "*" for the whole run
 * @param change what was attempted (iproute2 style)
 * @param reason the netlink error or the conflict
 */
public record PeerError(String peer, String change, String reason) {
  @Override
  public String toString() {
    return (peer.isEmpty() ? "" : peer + ": ") + change + ": " + reason;
  }
}
