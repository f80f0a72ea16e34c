package io.vxmesh.config;

import java.nio.file.Path;

/**
 * A configuration error. The message is always one line, {@code FILE: KEY: REASON} (or
 * {@code FILE: REASON} when no single key is at fault), so the agent can print it as is
 * before exiting 78 (EX_CONFIG).
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String key;
  private final String reason;

  public ConfigException(Path file, String key, String reason) {
    super(format(file, key, reason));
    this.file = file;
    this.key = key;
    this.reason = reason;
  }

  private static String format(Path file, String key, String reason) {
    String r = reason == null ? "invalid" : reason.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    return file + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + r;
  }

  public Path file() {
    return file;
  }

  /** The key path, e.g. {@code network[0].vtep_mac}; null for whole-file errors. */
  public String key() {
    return key;
  }

  public String reason() {
    return reason;
  }
}
