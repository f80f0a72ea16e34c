package io.vxmesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Stub: to be implemented. */
@Command(name = "routes", description = "Show desired vs installed datapath objects.")
public final class RoutesCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("vxmesh routes: not implemented yet");
    return 1;
  }
}
