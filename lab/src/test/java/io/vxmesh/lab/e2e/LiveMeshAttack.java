package io.vxmesh.lab.e2e;

import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Testbed;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stage of the issue-12 attacks on a live mesh: three hosts with pods and converged agents
 * ({@link #mesh}), to which a test adds the attacker's host; everything is removed afterwards,
 * and a failure dumps the testbed's diagnostics.
 */
@ExtendWith(DiagnoseOnFailure.class)
abstract class LiveMeshAttack implements DiagnoseOnFailure.Source {
  protected Testbed tb;
  protected List<Host> mesh;

  @Override
  public Testbed testbed() {
    return tb;
  }

  @BeforeEach
  void startThreeAgents() {
    Mesh.requireRootAndAgent();
    tb = Testbed.create(3, true);
    mesh = tb.hosts();
    Mesh.startAll(tb, mesh);
  }

  @AfterEach
  void removeEverything() {
    if (tb != null) {
      tb.close();
    }
  }
}
