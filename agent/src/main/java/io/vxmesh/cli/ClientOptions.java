package io.vxmesh.cli;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options every client command shares: where the agent listens and how long to wait. */
public final class ClientOptions {
  @Option(
      names = "--socket",
      paramLabel = "PATH",
      defaultValue = "${env:VXMESH_SOCKET:-/run/vxmesh/vxmesh.sock}",
      description = "Agent API socket (default: $VXMESH_SOCKET or /run/vxmesh/vxmesh.sock; now ${DEFAULT-VALUE}).")
  Path socket;

  @Option(
      names = "--timeout",
      paramLabel = "MS",
      defaultValue = "5000",
      description = "How long to wait for the agent, in milliseconds (default: ${DEFAULT-VALUE}).")
  long timeoutMs;

  Duration timeout() {
    return Duration.ofMillis(Math.max(1, timeoutMs));
  }
}
