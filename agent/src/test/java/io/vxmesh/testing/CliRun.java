package io.vxmesh.testing;

import io.vxmesh.cli.VxmeshCommand;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the {@code vxmesh} command line: exit code, stdout and stderr. */
public record CliRun(int code, String out, String err) {
  public static CliRun of(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = VxmeshCommand.execute(new PrintWriter(o), new PrintWriter(e), args);
    return new CliRun(code, o.toString(), e.toString());
  }
}
