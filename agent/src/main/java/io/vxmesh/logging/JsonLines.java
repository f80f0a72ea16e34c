package io.vxmesh.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One log event as one JSON object on one line ({@code [log] format = "json"}):
 * {@code {"time":"2026-11-27T12:00:00.123Z","level":"WARN","logger":"io.vxmesh.gossip.MemberTracker",
 * "message":"member status node=worker1 status=failed ...","node":"worker1","status":"failed",...}}.
 * {@code time} (ISO-8601 UTC) is left out under journald, which stamps every entry itself.
 * Every {@code key={}} of the message and every SLF4J key-value pair becomes a field of its
 * own: numbers and booleans as JSON numbers and booleans, everything else as a string. A key
 * that collides with {@code time level logger message error} gets an underscore in front.
 * An exception is {@code error}: its stack trace as one string.
 */
public final class JsonLines {
  private static final Set<String> RESERVED = Set.of("time", "level", "logger", "message", "error");

  private JsonLines() {}

  /** The line, ending in {@code \n}. */
  public static String format(ILoggingEvent event, boolean withTime) {
    Map<String, Object> fields = KeyValues.newFields();
    String message = KeyValues.fields(event, fields);
    StringBuilder b = new StringBuilder(256).append('{');
    if (withTime) {
      member(b, "time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
    }
    member(b, "level", event.getLevel().toString());
    member(b, "logger", event.getLoggerName());
    member(b, "message", message);
    for (Map.Entry<String, Object> f : fields.entrySet()) {
      String key = RESERVED.contains(f.getKey().toLowerCase(Locale.ROOT)) ? "_" + f.getKey() : f.getKey();
      b.append(',');
      string(b, key);
      b.append(':');
      value(b, f.getValue());
    }
    IThrowableProxy t = event.getThrowableProxy();
    if (t != null) {
      member(b, "error", ThrowableProxyUtil.asString(t));
    }
    return b.append("}\n").toString();
  }

  private static void member(StringBuilder b, String key, String value) {
    if (b.length() > 1) {
      b.append(',');
    }
    string(b, key);
    b.append(':');
    string(b, value);
  }

  private static void value(StringBuilder b, Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      b.append(v);
    } else if ((v instanceof Double d && Double.isFinite(d)) || (v instanceof Float f && Float.isFinite(f))) {
      b.append(v);
    } else if (v instanceof Boolean) {
      b.append(v);
    } else if (v == null) {
      b.append("null");
    } else {
      string(b, KeyValues.render(v));
    }
  }

  static void string(StringBuilder b, String s) {
    b.append('"');
    KeyValues.escape(b, s);
    b.append('"');
  }
}
