package io.vxmesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Stub: to be implemented. */
@Command(name = "leave", description = "Leave the mesh and remove this host's peer entries.")
public final class LeaveCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("vxmesh leave: not implemented yet");
    return 1;
  }
}
