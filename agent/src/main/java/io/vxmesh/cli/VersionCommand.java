package io.vxmesh.cli;

import io.vxmesh.Version;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "version", description = "Print the version.")
public final class VersionCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.out.println("vxmesh " + Version.current());
    return 0;
  }
}
