package io.vxmesh.datapath;

import java.util.List;

/**
 * The kernel as the datapath sees it: a VTEP device, the owned objects on it, and a way to
 * apply changes. {@link NetlinkDatapathKernel} is the real one; tests of the reconciler can
 * implement this in memory. Implementations need not be thread-safe: {@link Datapath}
 * serialises calls.
 */
public interface DatapathKernel extends AutoCloseable {
  /** Creates or repairs the VTEP device (see {@link VtepDevice#ensure}); returns its ifindex. */
  int ensureVtep(VtepSpec spec);

  /** The ifindex of the device, or -1 when it does not exist. */
  int ifindex(String device);

  /** Owned objects on the device (see {@link KernelState}). */
  KernelState dump(int ifindex);

  /** One failed change: its index in the list given to {@link #apply}. */
  record Failure(int index, String reason) {}

  /**
   * Applies changes in list order, as far as possible (a failing change does not stop the
   * rest); returns the failures. Throws only when the outcome of the whole call is unknown
   * (e.g. acks lost): the caller should dump again.
   */
  List<Failure> apply(int ifindex, List<Change> changes);

  /**
   * Calls {@code wake} (on a background thread) whenever something about the device changes:
   * the link itself, its addresses, neighbours/FDB on it, routes or nexthops on it or with
   * vxmesh's protocol. Close the result to stop.
   */
  AutoCloseable watch(String device, Runnable wake);

  /** The underlay device's MTU, or -1 when it does not exist. */
  int mtu(String device);

  @Override
  void close();
}
