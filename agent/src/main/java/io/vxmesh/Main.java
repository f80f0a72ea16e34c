package io.vxmesh;

import io.vxmesh.cli.VxmeshCommand;
import io.vxmesh.systemd.JournalStream;

/** Entry point of {@code vxmesh.jar}: the daemon ({@code vxmesh agent}) and the CLI. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // Before the first logger exists: logback.xml reads these properties when it starts.
    if (JournalStream.connected(1)) {
      // journald timestamps every line; ours would be noise. Each line gets its priority.
      System.setProperty("vxmesh.log.pattern", "%-5level %logger{0}: %msg%n");
      System.setProperty("vxmesh.log.journal", "true");
    }
    if (JournalStream.connected(2)) {
      System.setErr(JournalStream.errorStderr());
    }
    System.exit(VxmeshCommand.execute(args));
  }
}
