package io.vxmesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Stub: to be implemented. */
@Command(name = "status", description = "Show the agent's status.")
public final class StatusCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("vxmesh status: not implemented yet");
    return 1;
  }
}
