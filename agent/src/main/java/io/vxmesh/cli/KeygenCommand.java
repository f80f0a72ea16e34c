package io.vxmesh.cli;

import io.vxmesh.gossip.ClusterKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vxmesh keygen}: a fresh cluster key, base64; {@code (umask 077; vxmesh keygen > /etc/vxmesh/cluster.key)}. */
@Command(name = "keygen", description = "Print a fresh cluster key (base64 of 32 random bytes).")
public final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println(ClusterKey.generate().toBase64());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
