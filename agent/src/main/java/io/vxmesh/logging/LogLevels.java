package io.vxmesh.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The agent's log level: logback's root logger. Set at start from {@code agent.log_level} and
 * at run time over the local API ({@code vxmesh log-level debug}). Loggers with a level of
 * their own in logback.xml (Atomix, Netty: WARN) keep it; everything of vxmesh follows root.
 */
public final class LogLevels {
  /** The accepted names, lower case, most verbose first. */
  public static final List<String> NAMES = List.of("trace", "debug", "info", "warn", "error");

  private LogLevels() {}

  /** The root level in effect, lower case ("info" when logback is not the binding). */
  public static String current() {
    Logger root = root();
    return root == null || root.getLevel() == null ? "info" : root.getLevel().toString().toLowerCase(Locale.ROOT);
  }

  /**
   * Sets the root level; returns the previous one.
   *
   * @throws IllegalArgumentException for a name not in {@link #NAMES}
   */
  public static String set(String level) {
    String name = level == null ? "" : level.strip().toLowerCase(Locale.ROOT);
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("'" + level + "' is not one of " + String.join(", ", NAMES));
    }
    String previous = current();
    Logger root = root();
    if (root != null) {
      root.setLevel(Level.toLevel(name));
    }
    return previous;
  }

  private static Logger root() {
    return LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger l ? l : null;
  }
}
