package io.vxmesh.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * vxmesh's log messages are {@code key={}} pairs ({@code "member status node={} status={}"});
 * this formats them so they stay machine-readable. In text a value that contains a space, a
 * quote, an {@code =} or a control character, or is empty, is quoted ({@code reason="no longer
 * reachable"}, backslash-escaping {@code "} and {@code \}); a placeholder not preceded by
 * {@code key=} is substituted as SLF4J would. The same pairs, plus SLF4J 2 key-value pairs
 * ({@code log.atWarn().addKeyValue(...)}), are the fields of a JSON line (see {@link JsonLines}).
 */
public final class KeyValues {
  private KeyValues() {}

  /** The message with its arguments substituted, {@code key=} values quoted when needed, and the event's key-value pairs appended. */
  public static String text(ILoggingEvent event) {
    StringBuilder b = new StringBuilder();
    walk(event.getMessage(), event.getArgumentArray(), b, null);
    List<KeyValuePair> kvs = event.getKeyValuePairs();
    if (kvs != null) {
      for (KeyValuePair kv : kvs) {
        if (b.length() > 0) {
          b.append(' ');
        }
        b.append(kv.key).append('=').append(quoted(String.valueOf(kv.value)));
      }
    }
    return b.toString();
  }

  /** The message as SLF4J formats it (no quoting) and, in order, each {@code key={}} value and key-value pair. */
  static String fields(ILoggingEvent event, Map<String, Object> fields) {
    StringBuilder b = new StringBuilder();
    walk(event.getMessage(), event.getArgumentArray(), b, fields);
    List<KeyValuePair> kvs = event.getKeyValuePairs();
    if (kvs != null) {
      for (KeyValuePair kv : kvs) {
        fields.put(kv.key, kv.value);
      }
    }
    return b.toString();
  }

  /**
   * Substitutes {@code {}} (SLF4J's {@code \{}} stays a literal {@code {}}). With
   * {@code fields} null, quotes {@code key=} values; otherwise leaves them plain and collects them.
   */
  private static void walk(String pattern, Object[] args, StringBuilder b, Map<String, Object> fields) {
    if (pattern == null) {
      b.append("null");
      return;
    }
    int arg = 0;
    int n = pattern.length();
    for (int i = 0; i < n; i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 2 < n && pattern.charAt(i + 1) == '{' && pattern.charAt(i + 2) == '}') {
        b.append("{}");
        i += 2;
      } else if (c == '{' && i + 1 < n && pattern.charAt(i + 1) == '}' && args != null && arg < args.length) {
        Object v = args[arg++];
        String key = keyBefore(b);
        String s = render(v);
        if (key == null) {
          b.append(s);
        } else if (fields != null) {
          b.append(s);
          fields.put(key, v);
        } else {
          b.append(quoted(s));
        }
        i++;
      } else {
        b.append(c);
      }
    }
  }

  /** The key when {@code b} ends in {@code key=} (letters, digits, {@code _ . -}), else null. */
  private static String keyBefore(StringBuilder b) {
    int end = b.length() - 1;
    if (end < 1 || b.charAt(end) != '=') {
      return null;
    }
    int start = end;
    while (start > 0 && isKeyChar(b.charAt(start - 1))) {
      start--;
    }
    return start == end ? null : b.substring(start, end);
  }

  private static boolean isKeyChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-';
  }

  static String render(Object v) {
    if (v instanceof Object[] a) {
      return java.util.Arrays.deepToString(a);
    }
    return String.valueOf(v);
  }

  /** {@code s}, or {@code "s"} with {@code \ "} and control characters escaped when it needs quoting. */
  public static String quoted(String s) {
    boolean quote = s.isEmpty();
    for (int i = 0; i < s.length() && !quote; i++) {
      char c = s.charAt(i);
      quote = c == ' ' || c == '"' || c == '=' || c == '\\' || Character.isISOControl(c) || Character.isWhitespace(c);
    }
    if (!quote) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    escape(b, s);
    return b.append('"').toString();
  }

  /** Appends {@code s} with {@code " \} and control characters backslash-escaped, as JSON strings have them. */
  static void escape(StringBuilder b, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
  }

  /** An insertion-ordered map for {@link #fields}. */
  static Map<String, Object> newFields() {
    return new LinkedHashMap<>();
  }
}
