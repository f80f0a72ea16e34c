package io.vxmesh;

import io.vxmesh.cli.VxmeshCommand;

/** Entry point of {@code vxmesh.jar}: the daemon ({@code vxmesh agent}) and the CLI. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (System.getenv("JOURNAL_STREAM") != null) {
      // journald timestamps every line; ours would be noise. Read by logback.xml.
      System.setProperty("vxmesh.log.pattern", "%-5level %logger{0}: %msg%n");
    }
    System.exit(VxmeshCommand.execute(args));
  }
}
