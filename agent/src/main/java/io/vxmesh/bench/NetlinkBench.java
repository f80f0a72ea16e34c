package io.vxmesh.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Stub: to be implemented. */
@Command(name = "netlink", description = "Install/remove N peers via vxmesh netlink vs iproute2.")
public final class NetlinkBench implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("vxmesh bench netlink: not implemented yet");
    return 1;
  }
}
