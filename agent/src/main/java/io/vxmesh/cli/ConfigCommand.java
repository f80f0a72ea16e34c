package io.vxmesh.cli;

import io.vxmesh.config.ConfigException;
import io.vxmesh.config.ConfigLoader;
import io.vxmesh.config.ConfigRenderer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vxmesh config}: validates the configuration exactly as {@code vxmesh agent} would and
 * prints it with every default resolved (on this host, in this network namespace). Exit 78 and
 * the same one-line error as the agent when it is invalid; handy before a restart.
 */
@Command(name = "config", description = "Check the configuration and print it with all defaults resolved.")
public final class ConfigCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Configuration file (default: ${DEFAULT-VALUE}).")
  Path config = ConfigLoader.DEFAULT_FILE;

  @Override
  public Integer call() {
    try {
      spec.commandLine().getOut().print(ConfigRenderer.render(ConfigLoader.forThisHost().load(config)));
      spec.commandLine().getOut().flush();
      return 0;
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      spec.commandLine().getErr().flush();
      return AgentCommand.EX_CONFIG;
    }
  }
}
