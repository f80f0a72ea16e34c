package io.vxmesh.lab.testbed;

import java.time.Duration;
import java.util.List;

/**
 * What a finished (or timed-out) command produced.
 *
 * @param command the argv that ran, for error messages
 * @param exitCode the exit status; -1 when it timed out and was killed
 * @param timedOut true when the command outlived its timeout and was killed with SIGKILL
 */
public record ExecResult(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut, Duration elapsed) {
  public ExecResult {
    command = List.copyOf(command);
  }

  public boolean ok() {
    return exitCode == 0 && !timedOut;
  }

  /** Returns this result when the command exited 0; otherwise throws naming the command and why. */
  public ExecResult orThrow() {
    if (!ok()) {
      throw new IllegalStateException(describeFailure());
    }
    return this;
  }

  /** One line: the command, and its exit code or timeout, and its stderr. */
  public String describeFailure() {
    String why = timedOut ? "timed out after " + elapsed.toMillis() + " ms" : "exited " + exitCode;
    String err = stderr.isBlank() ? stdout.strip() : stderr.strip();
    return "`" + String.join(" ", command) + "` " + why + (err.isEmpty() ? "" : ": " + err);
  }
}
