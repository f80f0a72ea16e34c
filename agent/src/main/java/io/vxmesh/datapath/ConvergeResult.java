package io.vxmesh.datapath;

import java.util.List;

/**
 * What one {@link Datapath#converge} did, counted in kernel objects (a peer is 4: neighbour,
 * FDB entry, nexthop, route).
 *
 * @param peers desired peers
 * @param added objects created
 * @param changed objects replaced because they differed
 * @param removed objects deleted (peers gone, or allowRemove)
 * @param unchanged objects already right
 * @param errors failures; a failed peer does not stop the others
 * @param micros wall time of the whole converge
 */
public record ConvergeResult(int peers, int added, int changed, int removed, int unchanged, List<PeerError> errors, long micros) {
  public ConvergeResult {
    errors = List.copyOf(errors);
  }

  public boolean ok() {
    return errors.isEmpty();
  }

  /** True when nothing had to be written. */
  public boolean noop() {
    return added == 0 && changed == 0 && removed == 0;
  }
}
