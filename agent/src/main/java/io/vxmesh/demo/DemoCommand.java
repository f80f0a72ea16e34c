package io.vxmesh.demo;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Stub: to be implemented. */
@Command(name = "demo", description = "Build a demo mesh in network namespaces on this machine and ping across it.")
public final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("vxmesh demo: not implemented yet");
    return 1;
  }
}
