package io.vxmesh.cli;

import io.vxmesh.Agent;
import io.vxmesh.config.Config;
import io.vxmesh.config.ConfigException;
import io.vxmesh.config.ConfigLoader;
import io.vxmesh.logging.LogFormat;
import io.vxmesh.logging.LogLevels;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vxmesh agent}: loads the configuration and runs the daemon. A bad configuration is one
 * line on stderr and exit 78 (EX_CONFIG), which the unit's {@code RestartPreventExitStatus=78}
 * keeps systemd from restarting in a loop.
 */
@Command(name = "agent", description = "Run the agent (the daemon).")
public final class AgentCommand implements Callable<Integer> {
  /** sysexits.h EX_CONFIG. */
  public static final int EX_CONFIG = 78;

  @Spec CommandSpec spec;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Configuration file (default: ${DEFAULT-VALUE}).")
  Path config = ConfigLoader.DEFAULT_FILE;

  @Override
  public Integer call() {
    Config loaded;
    try {
      loaded = ConfigLoader.forThisHost().load(config);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      spec.commandLine().getErr().flush();
      return EX_CONFIG;
    }
    applyLogLevel(loaded.agent().logLevel());
    LogFormat.apply(loaded.agent().logFormat());
    return Agent.run(loaded);
  }

  /** {@code agent.log_level} sets the root logger; Atomix and Netty keep logback.xml's WARN. */
  static void applyLogLevel(String level) {
    LogLevels.set(level);
  }
}
