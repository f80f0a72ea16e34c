package io.vxmesh.reconcile;

import io.vxmesh.datapath.Peer;
import io.vxmesh.datapath.VtepSpec;
import java.util.List;

/** What the reconciler needs from the datapath: make one device look like the desired set. */
public interface DatapathPort {

  /** Creates/repairs the VTEP device (idempotent, cheap when nothing changed). */
  void ensureVtep(VtepSpec spec);

  /**
   * Dumps the device's owned objects, applies the difference to {@code desired} and reports it.
   * With {@code allowRemove=false} only adds and replaces happen (first view not complete yet).
   */
  Outcome converge(VtepSpec spec, List<Peer> desired, boolean allowRemove);

  /**
   * @param added peers whose objects were created
   * @param changed peers whose objects were replaced (MAC, host IP or pod CIDR changed, or drift repaired)
   * @param removed peers whose objects were deleted
   * @param installed peers fully installed after the pass
   * @param errors one line per failed object; a failing peer never stops the others
   */
  record Outcome(List<String> added, List<String> changed, List<String> removed, int installed, List<String> errors) {
    public Outcome {
      added = List.copyOf(added);
      changed = List.copyOf(changed);
      removed = List.copyOf(removed);
      errors = List.copyOf(errors);
    }

    public boolean quiet() {
      return added.isEmpty() && changed.isEmpty() && removed.isEmpty() && errors.isEmpty();
    }
  }
}
