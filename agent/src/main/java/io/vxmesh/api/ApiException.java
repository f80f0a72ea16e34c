package io.vxmesh.api;

/** A failed API call; the message is one line meant for an operator (no stack trace needed). */
public final class ApiException extends Exception {
  private static final long serialVersionUID = 1L;

  public ApiException(String message) {
    super(message);
  }
}
