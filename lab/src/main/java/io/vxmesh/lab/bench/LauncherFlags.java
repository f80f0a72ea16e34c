package io.vxmesh.lab.bench;

import io.vxmesh.lab.testbed.AgentProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The JVM flags of the launcher's two roles, read from the launcher itself
 * ({@code packaging/vxmesh}, installed as {@code /usr/bin/vxmesh}) so that {@code bench
 * footprint} measures what ships and no copy can drift from it. The script's
 * {@code case "${1:-}" in} has an {@code agent)} branch and a {@code *)} branch, each an
 * {@code exec "$java" FLAGS ${VXMESH_JAVA_OPTS:-} -jar "$jar" "$@"} (backslash continuations
 * allowed); FLAGS are the words between {@code "$java"} and the first of
 * {@code ${VXMESH_JAVA_OPTS} / -jar}. Anything else there (a variable, a quote) is an error:
 * the benchmark cannot know what the shell would expand it to. Public for the end-to-end tests
 * that run an agent exactly as shipped (GossipFloodE2ETest: the 64 MB heap under attack).
 */
public record LauncherFlags(Path file, List<String> agent, List<String> client) {
  private static final Pattern FLAG = Pattern.compile("-[A-Za-z0-9:+=._/,-]+");

  public LauncherFlags {
    agent = List.copyOf(agent);
    client = List.copyOf(client);
  }

  /** Reads and parses {@code file}. */
  public static LauncherFlags read(Path file) {
    try {
      return parse(Files.readString(file), file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the launcher " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The launcher next to the running jar's checkout ({@code <repo>/agent/target/vxmesh.jar} →
   * {@code <repo>/packaging/vxmesh}), else {@code packaging/vxmesh} below the working directory,
   * else the installed {@code /usr/bin/vxmesh}.
   */
  public static Path locate() {
    List<Path> candidates = new ArrayList<>();
    Path repo = AgentProcess.locateJar().toAbsolutePath().getParent();
    for (int up = 0; up < 2 && repo != null; up++) {
      repo = repo.getParent();
    }
    if (repo != null) {
      candidates.add(repo.resolve("packaging/vxmesh"));
    }
    candidates.add(Path.of("packaging/vxmesh"));
    candidates.add(Path.of("/usr/bin/vxmesh"));
    return candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new IllegalStateException(
        "cannot find the launcher (tried " + candidates + "); pass --launcher PATH"));
  }

  static LauncherFlags parse(String script, Path file) {
    List<String> lines = joinContinuations(script);
    return new LauncherFlags(file, branch(lines, "agent", file), branch(lines, "*", file));
  }

  private static List<String> joinContinuations(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String l : script.split("\n", -1)) {
      if (l.endsWith("\\")) {
        cur.append(l, 0, l.length() - 1).append(' ');
      } else {
        out.add(cur.append(l).toString());
        cur.setLength(0);
      }
    }
    return out;
  }

  /** The flags of the exec in the case branch labelled {@code label}. */
  private static List<String> branch(List<String> lines, String label, Path file) {
    int i = 0;
    while (i < lines.size() && !lines.get(i).strip().equals(label + ")")) {
      i++;
    }
    if (i == lines.size()) {
      throw new IllegalStateException(file + ": no case branch '" + label + ")'");
    }
    for (i++; i < lines.size() && !lines.get(i).strip().equals(";;"); i++) {
      List<String> words = List.of(lines.get(i).strip().split("\\s+"));
      if (words.size() < 2 || !words.get(0).equals("exec") || !words.get(1).equals("\"$java\"")) {
        continue;
      }
      List<String> flags = new ArrayList<>();
      for (String w : words.subList(2, words.size())) {
        if (w.startsWith("${VXMESH_JAVA_OPTS") || w.equals("-jar")) {
          if (flags.isEmpty()) {
            throw new IllegalStateException(file + ": branch '" + label + ")' passes no JVM flags");
          }
          return flags;
        }
        if (!FLAG.matcher(w).matches()) {
          throw new IllegalStateException(file + ": branch '" + label + ")': '" + w + "' is not a literal JVM flag");
        }
        flags.add(w);
      }
      throw new IllegalStateException(file + ": branch '" + label + ")': exec line has no -jar");
    }
    throw new IllegalStateException(file + ": branch '" + label + ")' has no exec \"$java\" line");
  }
}
