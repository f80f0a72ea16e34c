package io.vxmesh.lab.bench;

import io.vxmesh.cli.VxmeshCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vxmesh-lab bench <scenario>}: benchmarks in namespaces they create and remove. */
@Command(
    name = "bench",
    description = "Run a benchmark scenario in network namespaces it creates and removes.",
    subcommands = {NetlinkBench.class, GossipBench.class, JoinBench.class, FailureBench.class, RestartBench.class,
        ThroughputBench.class, ScaleBench.class, FootprintBench.class, SpreadBench.class, SimBench.class, LifeguardBench.class})
public final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** No scenario given: usage to stderr, exit 2. */
  @Override
  public void run() {
    throw VxmeshCommand.missingCommand(spec);
  }
}
