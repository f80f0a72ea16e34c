package io.vxmesh.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vxmesh bench <scenario>}: benchmarks in namespaces they create and remove. */
@Command(
    name = "bench",
    description = "Run a benchmark scenario in network namespaces it creates and removes.",
    subcommands = {NetlinkBench.class, GossipBench.class})
public final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }
}
