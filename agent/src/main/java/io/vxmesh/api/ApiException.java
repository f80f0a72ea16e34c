package io.vxmesh.api;

/**
 * A failed API call; the message is one line meant for an operator (no stack trace needed),
 * and the exit code is what the CLI should end with: 1, or {@link #EX_NOPERM} when the socket
 * is closed to this user.
 */
public final class ApiException extends Exception {
  private static final long serialVersionUID = 1L;
  /** sysexits.h EX_NOPERM: the user may not talk to the agent. */
  public static final int EX_NOPERM = 77;

  private final int exitCode;

  public ApiException(String message) {
    this(message, 1);
  }

  public ApiException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  /** The exit code for a CLI command that failed with this. */
  public int exitCode() {
    return exitCode;
  }
}
