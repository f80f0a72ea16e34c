package io.vxmesh.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bench footprint takes the JVM flags from the launcher script itself, and CPU ticks from getconf. */
class LauncherFlagsTest {
  private static final Path NOWHERE = Path.of("test-launcher");

  private static final String SCRIPT = String.join("\n",
      "#!/bin/sh",
      "set -eu",
      "case \"${1:-}\" in",
      "  agent)",
      "    # shellcheck disable=SC2086",
      "    exec \"$java\" -XX:+UseSerialGC -Xms8m -Xmx64m \\",
      "      -Xss512k -XX:-UsePerfData \\",
      "      ${VXMESH_JAVA_OPTS:-} -jar \"$jar\" \"$@\"",
      "    ;;",
      "  *)",
      "    exec \"$java\" -Xmx32m -Xshare:auto ${VXMESH_JAVA_OPTS:-} -jar \"$jar\" \"$@\"",
      "    ;;",
      "esac",
      "");

  @Test
  void flagsOfBothBranchesAreReadAcrossContinuationLines() {
    LauncherFlags f = LauncherFlags.parse(SCRIPT, NOWHERE);
    assertEquals(List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx64m", "-Xss512k", "-XX:-UsePerfData"), f.agent());
    assertEquals(List.of("-Xmx32m", "-Xshare:auto"), f.client());
  }

  @Test
  void aFlagTheShellWouldExpandOrAMissingBranchIsAnErrorNotAGuess() {
    assertThrows(IllegalStateException.class, () -> LauncherFlags.parse(SCRIPT.replace("-Xms8m", "$HEAP"), NOWHERE));
    assertThrows(IllegalStateException.class, () -> LauncherFlags.parse(SCRIPT.replace("  agent)", "  daemon)"), NOWHERE));
    assertThrows(IllegalStateException.class, () -> LauncherFlags.parse(
        SCRIPT.replace("exec \"$java\" -Xmx32m -Xshare:auto ", "exec \"$java\" "), NOWHERE));
  }

  /** The shipped launcher: if it changes shape so that its flags can no longer be read, this fails (and so would the benchmark). */
  @Test
  void theShippedLauncherParses() throws Exception {
    Path file = Path.of("../packaging/vxmesh");
    if (!Files.isRegularFile(file)) {
      file = Path.of("packaging/vxmesh");
    }
    LauncherFlags f = LauncherFlags.read(file);
    assertTrue(f.agent().stream().anyMatch(s -> s.startsWith("-Xmx")), "agent flags without a heap cap: " + f.agent());
    assertTrue(f.client().stream().anyMatch(s -> s.startsWith("-Xmx")), "client flags without a heap cap: " + f.client());
    assertNotEquals(f.agent(), f.client());
    // Every flag of the agent's exec line is in the parse, in order: the text between "$java" and ${VXMESH_JAVA_OPTS.
    String text = Files.readString(file).replace("\\\n", " ");
    String agentExec = text.substring(text.indexOf("agent)"));
    agentExec = agentExec.substring(agentExec.indexOf("\"$java\"") + 7, agentExec.indexOf("${VXMESH_JAVA_OPTS"));
    assertEquals(List.of(agentExec.strip().split("\\s+")), f.agent());
  }

  @Test
  void clockTicksComeFromGetconfAndMustBePositive() {
    assertEquals(100, FootprintBench.parseClockTicks("100\n"));
    assertEquals(250, FootprintBench.parseClockTicks("250"));
    assertThrows(IllegalStateException.class, () -> FootprintBench.parseClockTicks("undefined\n"));
    assertThrows(IllegalStateException.class, () -> FootprintBench.parseClockTicks("0"));
    assertThrows(IllegalStateException.class, () -> FootprintBench.parseClockTicks(""));
  }
}
