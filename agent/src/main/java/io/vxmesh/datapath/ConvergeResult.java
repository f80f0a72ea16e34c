package io.vxmesh.datapath;

import java.util.List;
import java.util.Map;

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
 * @param addedPeers names of peers that had none of their objects and now have them written
 * @param changedPeers names of peers of which some object was missing or different (drift
 *     repaired, MAC/host IP/pod CIDR changed)
 * @param removedPeers peers whose objects were deleted, named by VTEP IP (the kernel keeps no
 *     names; a MAC or CIDR when no IP is known)
 * @param installed desired peers fully installed after this pass (not refused, nothing failed)
 * @param written per added or changed peer, the kinds of object written for it, in order:
 *     {@code neighbour}, {@code fdb}, {@code nexthop}, {@code route} (what had drifted when the
 *     peer itself did not change)
 * @param objects the owned objects on the device after this converge, by kind ({@code neighbour},
 *     {@code fdb}, {@code nexthop}, {@code route}): the dump plus what was applied without error
 * @param deviceRecreated the VTEP had another ifindex at the previous converge: it was deleted or
 *     replaced outside vxmesh, and was recreated
 */
public record ConvergeResult(int peers, int added, int changed, int removed, int unchanged, List<PeerError> errors, long micros,
    List<String> addedPeers, List<String> changedPeers, List<String> removedPeers, int installed,
    Map<String, List<String>> written, Map<String, Integer> objects, boolean deviceRecreated) {
  /** Object kinds, as in {@link #written} and {@link #objects}. */
  public static final List<String> KINDS = List.of("neighbour", "fdb", "nexthop", "route");

  public ConvergeResult {
    written = Map.copyOf(written);
    objects = Map.copyOf(objects);
    errors = List.copyOf(errors);
    addedPeers = List.copyOf(addedPeers);
    changedPeers = List.copyOf(changedPeers);
    removedPeers = List.copyOf(removedPeers);
  }

  /** Nothing to do: no peers, nothing written. */
  public static ConvergeResult empty() {
    return new ConvergeResult(0, 0, 0, 0, 0, List.of(), 0, List.of(), List.of(), List.of(), 0, Map.of(), Map.of(), false);
  }

  public boolean ok() {
    return errors.isEmpty();
  }

  /** True when nothing had to be written. */
  public boolean noop() {
    return added == 0 && changed == 0 && removed == 0;
  }
}
