package io.vxmesh.cli;

import io.vxmesh.api.ApiClient;
import io.vxmesh.api.ApiException;
import io.vxmesh.proto.LogLevelRequest;
import io.vxmesh.proto.LogLevelResponse;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import io.vxmesh.logging.LogLevels;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code vxmesh log-level [LEVEL]}: prints the running agent's log level, or changes it until
 * the agent restarts (then {@code agent.log_level} applies again). Changing needs root.
 */
@Command(name = "log-level", description = {
    "Print the agent's log level, or change it at run time (root only) until the agent restarts.",
    "LEVEL: trace, debug, info, warn or error."})
public final class LogLevelCommand extends ClientCommand {
  @Parameters(arity = "0..1", paramLabel = "LEVEL", description = "New level: trace, debug, info, warn, error.")
  String level = "";

  @Override
  int run(ApiClient api, PrintWriter out) throws ApiException {
    if (!level.isEmpty() && !LogLevels.NAMES.contains(level.toLowerCase(Locale.ROOT))) {
      throw new ParameterException(spec.commandLine(), "Invalid value for LEVEL: '" + level + "' is not one of "
          + String.join(", ", LogLevels.NAMES));
    }
    Response r = api.expect(Request.newBuilder().setLogLevel(LogLevelRequest.newBuilder().setLevel(level)).build(),
        Response.KindCase.LOG_LEVEL);
    LogLevelResponse l = r.getLogLevel();
    if (level.isEmpty() || l.getLevel().equals(l.getPrevious())) {
      out.println(l.getLevel());
    } else {
      out.println(l.getLevel() + " (was " + l.getPrevious() + ")");
    }
    return 0;
  }
}
