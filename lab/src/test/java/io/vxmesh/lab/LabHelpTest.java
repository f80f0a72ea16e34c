package io.vxmesh.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.cli.HelpTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/** Every lab command, however deep, answers {@code -h}/{@code --help}; a group without a command is usage and exit 2. */
class LabHelpTest {
  String out;
  String err;

  int run(List<String> args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = LabCommand.execute(new PrintWriter(o), new PrintWriter(e), args.toArray(String[]::new));
    out = o.toString();
    err = e.toString();
    return code;
  }

  @TestFactory
  Stream<DynamicTest> everySubcommandAnswersHelpWithItsUsageAndExit0() {
    List<List<String>> paths = HelpTest.commandPaths(new CommandLine(new LabCommand()));
    assertTrue(paths.contains(List.of("bench", "join")) && paths.contains(List.of("demo")) && paths.size() > 10,
        "the tree is walked recursively: " + paths);
    return paths.stream().flatMap(path -> Stream.of("--help", "-h").map(flag -> DynamicTest.dynamicTest(
        "vxmesh-lab " + String.join(" ", path) + " " + flag, () -> {
          List<String> args = new ArrayList<>(path);
          args.add(flag);
          assertEquals(0, run(args), "exit code; stderr: " + err);
          assertTrue(out.contains("Usage: vxmesh-lab " + String.join(" ", path)), "usage on stdout:\n" + out);
          assertEquals("", err);
        })));
  }

  @Test
  void noCommandAndBenchWithoutAScenarioPrintUsageToStderrAndExit2() {
    assertEquals(2, run(List.of()));
    assertTrue(err.contains("Usage: vxmesh-lab ") && err.contains("demo"), err);
    assertEquals(2, run(List.of("bench")));
    assertEquals("", out);
    assertTrue(err.contains("Usage: vxmesh-lab bench "), err);
  }
}
