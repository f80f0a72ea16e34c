package io.vxmesh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.vxmesh.api.ApiClient;
import io.vxmesh.api.ApiException;
import java.io.PrintWriter;
import java.math.BigInteger;
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

  /**
   * The proto3 JSON mapping (lowerCamelCase field names), as {@code -o json} promises, except that
   * 64-bit integers (e.g. {@code generation}, {@code uptimeMs}) are JSON numbers, not the strings
   * the mapping prints (jq and scripts compare them as numbers). Proto3 JSON parsers accept numbers
   * for 64-bit fields, so {@code JsonFormat.parser()} still reads the output.
   */
  static void printJson(PrintWriter out, MessageOrBuilder message) {
    out.println(json(message));
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(
      Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER).withObjectEmptySeparator("").withArrayEmptySeparator(""))
      .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);

  static String json(MessageOrBuilder message) {
    try {
      JsonNode tree = MAPPER.readTree(JsonFormat.printer().print(message));
      return MAPPER.writer(PRETTY).writeValueAsString(numbers(tree, message.getDescriptorForType()));
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** Replaces, in place, the string values of d's 64-bit integer fields (nested, repeated, maps) with numbers. */
  private static JsonNode numbers(JsonNode node, Descriptor d) {
    if (!(node instanceof ObjectNode o)) {
      return node;
    }
    for (FieldDescriptor f : d.getFields()) {
      JsonNode v = o.get(f.getJsonName());
      if (v == null) {
        continue;
      }
      if (f.isMapField()) {
        FieldDescriptor value = f.getMessageType().findFieldByName("value");
        if (v instanceof ObjectNode entries) {
          entries.properties().forEach(e -> e.setValue(number(e.getValue(), value)));
        }
      } else if (f.isRepeated() && v instanceof ArrayNode a) {
        for (int i = 0; i < a.size(); i++) {
          a.set(i, number(a.get(i), f));
        }
      } else {
        o.set(f.getJsonName(), number(v, f));
      }
    }
    return o;
  }

  private static JsonNode number(JsonNode v, FieldDescriptor f) {
    switch (f.getJavaType()) {
      case MESSAGE:
        return numbers(v, f.getMessageType());
      case LONG:
        if (v.isTextual()) {
          try {
            BigInteger n = new BigInteger(v.textValue());
            // A uint64 above Long.MAX_VALUE stays exact as a big integer.
            return n.bitLength() < 64 ? LongNode.valueOf(n.longValue()) : BigIntegerNode.valueOf(n);
          } catch (NumberFormatException e) {
            return v;
          }
        }
        return v;
      default:
        return v;
    }
  }
}
