package io.vxmesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Stub: to be implemented. */
@Command(name = "agent", description = "Run the agent (the daemon).")
public final class AgentCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("vxmesh agent: not implemented yet");
    return 1;
  }
}
