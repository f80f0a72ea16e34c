package io.vxmesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Stub: to be implemented. */
@Command(name = "members", description = "List mesh members.")
public final class MembersCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("vxmesh members: not implemented yet");
    return 1;
  }
}
