package io.vxmesh.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.vxmesh.gossip.Keyring;
import io.vxmesh.net.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads {@code vxmesh.toml}: TOML → {@link RawConfig} (unknown keys and wrong types fail) →
 * defaults and validation ({@link Resolution}) → {@link Config}. Every failure is a {@link ConfigException} whose
 * one-line message names the file, the key path (e.g. {@code network[0].vtep_mac}) and the
 * reason. Defaults that depend on the machine come from the injected {@link HostInfo}.
 */
public final class ConfigLoader {
  public static final Path DEFAULT_FILE = Path.of("/etc/vxmesh/vxmesh.toml");

  private final HostInfo host;
  private final TomlMapper mapper;

  public ConfigLoader(HostInfo host) {
    this.host = host;
    this.mapper =
        TomlMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // A number where a string belongs (join = [1]) is a type error, not "1".
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();
  }

  /** A loader that resolves host-dependent defaults from this machine. */
  public static ConfigLoader forThisHost() {
    return new ConfigLoader(HostInfo.system());
  }

  /** Reads, parses, resolves and validates {@code file}, including the key file it names. */
  public Config load(Path file) throws ConfigException {
    String text;
    try {
      text = new String(ConfigFiles.readBounded(file, ConfigFiles.MAX_CONFIG_BYTES), StandardCharsets.UTF_8);
    } catch (ConfigFiles.TooLargeException e) {
      throw new ConfigException(file, null, "file is larger than " + ConfigFiles.describe(ConfigFiles.MAX_CONFIG_BYTES)
          + " (the shipped config is ~7 KB); is this the right file?");
    } catch (NoSuchFileException e) {
      throw new ConfigException(file, null, "file does not exist");
    } catch (AccessDeniedException e) {
      throw new ConfigException(file, null, "permission denied");
    } catch (IOException e) {
      throw new ConfigException(file, null, "cannot read: " + e.getMessage());
    }
    return parse(file, text);
  }

  /** Parses {@code text} as if read from {@code file} (relative key_file paths resolve against it). */
  public Config parse(Path file, String text) throws ConfigException {
    RawConfig raw;
    try {
      JsonNode tree = mapper.readTree(text);
      rejectPlaceholders(file, tree, "");
      raw = tree == null ? null : mapper.treeToValue(tree, RawConfig.class);
    } catch (JsonProcessingException e) {
      throw translate(file, e);
    }
    if (raw == null) {
      raw = new RawConfig(null, null, null, null, null, null, null, null);
    }
    return new Resolution(file, host).resolve(raw);
  }

  /**
   * The shipped config marks what each host must fill in with a placeholder, a whole string
   * value in angle brackets ({@code pod_cidr = "<this host's pod network, e.g. ...>"}). One left
   * in is named with its key before anything else is checked, so it never reads as a malformed
   * value or gets past a check that does not look at it.
   */
  private static void rejectPlaceholders(Path file, JsonNode node, String key) throws ConfigException {
    if (node == null) {
      return;
    }
    if (node.isTextual()) {
      String v = node.textValue();
      if (v.length() >= 2 && v.startsWith("<") && v.endsWith(">")) {
        throw new ConfigException(file, key, "placeholder not replaced: " + v);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        rejectPlaceholders(file, node.get(i), key + "[" + i + "]");
      }
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        rejectPlaceholders(file, e.getValue(), key.isEmpty() ? e.getKey() : key + "." + e.getKey());
      }
    }
  }

  /** Jackson's exception, reduced to key path + reason (or line number for syntax errors). */
  static ConfigException translate(Path file, JsonProcessingException e) {
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      String key = keyPath(m.getPath());
      if (m instanceof UnrecognizedPropertyException u) {
        Set<String> known = new TreeSet<>();
        if (u.getKnownPropertyIds() != null) {
          u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
        }
        return new ConfigException(file, key, "unknown key" + (known.isEmpty() ? "" : " (known here: " + String.join(", ", known) + ")"));
      }
      if (m instanceof MismatchedInputException mi && mi.getTargetType() != null) {
        return new ConfigException(file, key, "wrong type, want " + typeName(mi.getTargetType()));
      }
      return new ConfigException(file, key, firstLine(m.getOriginalMessage()));
    }
    JsonLocation loc = e.getLocation();
    String where = null;
    if (loc != null && loc.getLineNr() > 0) {
      // The TOML lexer reports the position after the offending token; a token that ended its
      // line leaves it at column 1 of the next line, which is not where the operator should look.
      int line = loc.getColumnNr() <= 1 && loc.getLineNr() > 1 ? loc.getLineNr() - 1 : loc.getLineNr();
      where = "line " + line;
    }
    return new ConfigException(file, where, "not valid TOML: " + firstLine(e.getOriginalMessage()));
  }

  private static String keyPath(List<JsonMappingException.Reference> path) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : path) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String typeName(Class<?> t) {
    if (t == Integer.class || t == Long.class || t == int.class || t == long.class) {
      return "an integer";
    }
    if (t == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(t)) {
      return "an array";
    }
    return "a table";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  /** A locally administered unicast MAC from SHA-256(node name, VNI): stable across restarts. */
  public static MacAddress derivedMac(String nodeName, int vni) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("vxmesh-vtep-mac\0".getBytes(StandardCharsets.UTF_8));
      sha.update(nodeName.getBytes(StandardCharsets.UTF_8));
      sha.update(("\0" + vni).getBytes(StandardCharsets.UTF_8));
      byte[] d = sha.digest();
      byte[] mac = new byte[6];
      System.arraycopy(d, 0, mac, 0, 6);
      mac[0] = (byte) ((mac[0] & 0xfc) | 0x02); // unicast, locally administered
      return new MacAddress(mac);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /**
   * Reads {@code config}'s key file again, for a reload (SIGHUP) during key rotation: the new
   * keyring, or an error naming the file and the reason (the caller keeps the keys it has).
   */
  public static Keyring readKeyring(Config config) throws ConfigException {
    return new Resolution(config.file(), null).keyring(config.gossip().keyFile());
  }
}
