package io.vxmesh.cli;

import io.vxmesh.Version;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The {@code vxmesh} command line: one root, one subcommand per verb. The demo and the
 * benchmarks are not here: they build namespaces, so they live in the lab's jar
 * ({@code java -jar lab/target/vxmesh-lab.jar demo|bench}). The standard help options
 * are inherited ({@code scope = INHERIT}), so every subcommand, however deep, answers {@code -h}/{@code --help} with its usage and exit 0.
 */
@Command(
    name = "vxmesh",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = VxmeshCommand.VersionProvider.class,
    description = "Peer-to-peer VXLAN overlay agent and its client.",
    subcommands = {
      AgentCommand.class,
      ConfigCommand.class,
      MembersCommand.class,
      StatusCommand.class,
      RoutesCommand.class,
      LeaveCommand.class,
      ForceLeaveCommand.class,
      LogLevelCommand.class,
      KeygenCommand.class,
      KeyringCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class VxmeshCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** No command given: picocli prints this, then the usage, to stderr and exits 2. */
  @Override
  public void run() {
    throw missingCommand(spec);
  }

  /** The error for a command that only groups subcommands and was given none. */
  public static CommandLine.ParameterException missingCommand(CommandLine.Model.CommandSpec spec) {
    return new CommandLine.ParameterException(spec.commandLine(), "Missing command");
  }

  /** Runs the command line and returns the process exit code. */
  public static int execute(String... args) {
    return new CommandLine(new VxmeshCommand()).execute(args);
  }

  /** Runs the command line with the given output and error writers (for tests and embedding). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return new CommandLine(new VxmeshCommand()).setOut(out).setErr(err).execute(args);
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vxmesh " + Version.current()};
    }
  }
}
