package io.vxmesh.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.vxmesh.api.ApiClient;
import io.vxmesh.api.ApiException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the commands that ask the running agent something. Designed for extension: a
 * subclass says what to ask and how to print the answer; this class owns connecting, timeouts
 * and turning any failure into one line on stderr with exit 1, or 77 (EX_NOPERM) when the
 * socket is closed to this user (never a stack trace).
 */
abstract class ClientCommand implements Callable<Integer> {
  @Mixin ClientOptions client;
  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (ApiClient api = ApiClient.connect(client.socket, client.timeout())) {
      return run(api, out);
    } catch (ApiException e) {
      err.println(e.getMessage());
      return e.exitCode();
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** Asks and prints; returns the exit code. */
  abstract int run(ApiClient api, PrintWriter out) throws ApiException;

  /** The proto3 JSON mapping (lowerCamelCase field names), as {@code -o json} promises. */
  static void printJson(PrintWriter out, MessageOrBuilder message) {
    try {
      out.println(JsonFormat.printer().print(message));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
    }
  }
}
