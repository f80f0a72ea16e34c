package io.vxmesh.lab;

import io.vxmesh.Main;
import io.vxmesh.Version;
import io.vxmesh.cli.VxmeshCommand;
import io.vxmesh.lab.bench.BenchCommand;
import io.vxmesh.lab.demo.DemoCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * {@code vxmesh-lab}: what is not the agent — a demo mesh and the benchmarks, both built from
 * network namespaces on this machine, running the real agent jar ({@code agent/target/vxmesh.jar},
 * or the installed {@code /usr/lib/vxmesh/vxmesh.jar}). Hosts run {@code vxmesh}; this jar is
 * for developers and evaluators, and needs root.
 */
@Command(
    name = "vxmesh-lab",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = LabCommand.VersionProvider.class,
    description = "The vxmesh lab: a demo mesh and benchmarks in network namespaces on this machine (needs root).",
    subcommands = {DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class LabCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Main.prepare();
    System.exit(new CommandLine(new LabCommand()).execute(args));
  }

  /** No command given: usage to stderr, exit 2. */
  @Override
  public void run() {
    throw VxmeshCommand.missingCommand(spec);
  }

  /** Runs the command line with the given output and error writers (tests). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return new CommandLine(new LabCommand()).setOut(out).setErr(err).execute(args);
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vxmesh-lab " + Version.current()};
    }
  }
}
