package io.vxmesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/** Every command of the tree, however deep, answers {@code -h} and {@code --help} with its usage and exit 0. */
public class HelpTest {
  String out;
  String err;

  int run(List<String> args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = VxmeshCommand.execute(new PrintWriter(o), new PrintWriter(e), args.toArray(String[]::new));
    out = o.toString();
    err = e.toString();
    return code;
  }

  /** The argument paths of every subcommand of {@code root}, e.g. ["bench", "join"], from picocli's model. */
  public static List<List<String>> commandPaths(CommandLine root) {
    List<List<String>> paths = new ArrayList<>();
    collect(root, List.of(), paths);
    return paths;
  }

  private static void collect(CommandLine cmd, List<String> path, List<List<String>> paths) {
    cmd.getSubcommands().forEach((name, sub) -> {
      if (!sub.getCommandSpec().name().equals(name)) {
        return; // an alias of a command already listed
      }
      List<String> p = new ArrayList<>(path);
      p.add(name);
      paths.add(p);
      collect(sub, p, paths);
    });
  }

  @TestFactory
  Stream<DynamicTest> everySubcommandAnswersHelpWithItsUsageAndExit0() {
    List<List<String>> paths = commandPaths(new CommandLine(new VxmeshCommand()));
    assertTrue(paths.contains(List.of("members")) && paths.contains(List.of("agent")) && paths.size() >= 9,
        "the tree is walked: " + paths);
    assertTrue(paths.stream().noneMatch(p -> p.get(0).equals("demo") || p.get(0).equals("bench")),
        "the agent's jar holds no lab commands: " + paths);
    return paths.stream().flatMap(path -> Stream.of("--help", "-h").map(flag -> DynamicTest.dynamicTest(
        "vxmesh " + String.join(" ", path) + " " + flag, () -> {
          List<String> args = new ArrayList<>(path);
          args.add(flag);
          assertEquals(0, run(args), "exit code; stderr: " + err);
          assertTrue(out.contains("Usage: vxmesh " + String.join(" ", path)), "usage on stdout:\n" + out + "\nstderr: " + err);
          assertEquals("", err);
        })));
  }

  @Test
  void theRootAnswersHelpToo() {
    assertEquals(0, run(List.of("--help")), err);
    assertTrue(out.startsWith("Usage: vxmesh "), out);
    assertEquals(0, run(List.of("-h")), err);
  }

  @Test
  void noArgumentsPrintsUsageToStderrAndExits2() {
    assertEquals(2, run(List.of()));
    assertEquals("", out);
    assertTrue(err.contains("Usage: vxmesh "), err);
    assertTrue(err.contains("members"), "lists the commands: " + err);
  }
}
