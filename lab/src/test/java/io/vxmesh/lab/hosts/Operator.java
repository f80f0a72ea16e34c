package io.vxmesh.lab.hosts;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Edits a config file the way an operator does with an editor: for each key, the line that sets
 * it gets the new value; a key that the shipped file only shows commented out is uncommented.
 * Everything else, comments included, stays as shipped.
 */
final class Operator {
  private Operator() {}

  static String edit(String toml, Map<String, String> values) {
    List<String> lines = new java.util.ArrayList<>(toml.lines().toList());
    for (var e : values.entrySet()) {
      Pattern set = Pattern.compile("^\\s*" + Pattern.quote(e.getKey()) + "\\s*=.*$");
      Pattern commented = Pattern.compile("^\\s*#\\s?" + Pattern.quote(e.getKey()) + "\\s*=.*$");
      int at = find(lines, set);
      if (at < 0) {
        at = find(lines, commented);
      }
      if (at < 0) {
        throw new AssertionError("the shipped config has no line for " + e.getKey() + ":\n" + toml);
      }
      lines.set(at, e.getKey() + " = " + e.getValue());
    }
    return String.join("\n", lines) + "\n";
  }

  private static int find(List<String> lines, Pattern p) {
    for (int i = 0; i < lines.size(); i++) {
      if (p.matcher(lines.get(i)).matches()) {
        return i;
      }
    }
    return -1;
  }
}
