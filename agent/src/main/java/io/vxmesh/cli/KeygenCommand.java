package io.vxmesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Stub: to be implemented. */
@Command(name = "keygen", description = "Print a fresh cluster key.")
public final class KeygenCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("vxmesh keygen: not implemented yet");
    return 1;
  }
}
