package io.vxmesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** target/vxmesh.1.gz and target/vxmesh.bash, as the build (process-classes) generated them. */
class ManPageTest {
  static final Path TARGET = Path.of(System.getProperty("vxmesh.jar", "target/vxmesh.jar")).toAbsolutePath().getParent();

  static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
    return out;
  }

  @Test
  void theManPageIsTheCommandModelAndManRendersIt() throws Exception {
    Path page = TARGET.resolve("vxmesh.1.gz");
    String roff;
    try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(page))) {
      roff = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(ManPage.roff(new CommandLine(new VxmeshCommand()).getCommandSpec()), roff, "built from the current model");
    assertTrue(roff.startsWith(".\\\" Generated") && roff.contains("\n.TH VXMESH 1 "), roff);

    assumeTrue(Files.isExecutable(Path.of("/usr/bin/man")), "SKIPPED LOUDLY: man (man-db) is not installed; the page is not rendered");
    String text = run("sh", "-c", "MANWIDTH=200 LC_ALL=C.UTF-8 man -l \"$0\" | col -b", page.toString());
    assertTrue(text.contains("vxmesh - Peer-to-peer VXLAN overlay agent"), text);
    for (String section : List.of("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "EXIT STATUS", "FILES")) {
      assertTrue(text.lines().anyMatch(l -> l.equals(section)), section + " in\n" + text);
    }
    // Every subcommand and each of its options, as picocli knows them.
    CommandSpec root = new CommandLine(new VxmeshCommand()).getCommandSpec();
    for (CommandLine sub : ManPage.subcommands(root)) {
      CommandSpec s = sub.getCommandSpec();
      assertTrue(text.contains("   vxmesh " + s.name() + "\n"), "subsection for " + s.qualifiedName() + " in\n" + text);
      for (OptionSpec o : s.options()) {
        if (!o.hidden()) {
          assertTrue(text.contains(o.longestName()), o.longestName() + " of " + s.qualifiedName());
        }
      }
    }
    assertTrue(text.contains("table or json (default: table)"), "default values filled in:\n" + text);
  }

  @Test
  void bashCompletesCommandsAndOptions() throws Exception {
    Path script = TARGET.resolve("vxmesh.bash");
    assertTrue(Files.readString(script).contains("complete -F _complete_vxmesh"), "picocli's AutoComplete script");
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "SKIPPED LOUDLY: no bash");
    String complete = "source \"$0\"; COMP_WORDS=(\"$@\"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE};"
        + " _complete_vxmesh 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\" | sort";
    assertEquals("members\n", run("bash", "-c", complete, script.toString(), "vxmesh", "mem"));
    String options = run("bash", "-c", complete, script.toString(), "vxmesh", "members", "--");
    assertTrue(options.contains("--output\n") && options.contains("--status\n") && options.contains("--detailed\n"), options);
    assertEquals("json\ntable\n", run("bash", "-c", complete, script.toString(), "vxmesh", "status", "-o", ""));
  }
}
