package io.vxmesh.cli;

import io.vxmesh.Version;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Build step (agent/pom.xml, process-classes): writes the bash completion script
 * ({@code vxmesh.bash}, picocli's {@link AutoComplete}) and the man page ({@code vxmesh.1.gz}, roff,
 * every subcommand with its options) from the picocli model of {@link VxmeshCommand}, so neither can
 * drift from the commands. Roff is written directly: picocli-codegen's generator writes AsciiDoc,
 * which would need asciidoctor (a Ruby toolchain) to become a page {@code man} reads.
 */
public final class ManPage {
  private ManPage() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target");
    Files.createDirectories(dir);
    CommandLine cmd = new CommandLine(new VxmeshCommand());
    Files.writeString(dir.resolve("vxmesh.bash"), AutoComplete.bash("vxmesh", cmd), StandardCharsets.UTF_8);
    byte[] page = roff(cmd.getCommandSpec()).getBytes(StandardCharsets.UTF_8);
    // GZIPOutputStream writes mtime 0 and no file name: the same page gives the same bytes.
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("vxmesh.1.gz")))) {
      out.write(page);
    }
  }

  /** The man page of the root command and, as subsections, of every subcommand. */
  static String roff(CommandSpec root) {
    StringBuilder b = new StringBuilder();
    b.append(".\\\" Generated from the picocli model by io.vxmesh.cli.ManPage; do not edit.\n");
    b.append(".TH VXMESH 1 \"\" \"vxmesh ").append(Version.current()).append("\" \"User Commands\"\n");
    b.append(".SH NAME\n").append("vxmesh \\- ").append(text(String.join(" ", root.usageMessage().description()))).append('\n');
    b.append(".SH SYNOPSIS\n").append(synopsis(root));
    b.append(".SH DESCRIPTION\n")
        .append("One executable for the agent (\\fBvxmesh agent\\fR, run by \\fBvxmesh.service\\fR) and its client: "
            + "the client commands ask the running agent over its local socket. "
            + "Every command answers \\fB\\-h\\fR/\\fB\\-\\-help\\fR.\n");
    b.append(".SH OPTIONS\n");
    options(b, root);
    b.append(".SH COMMANDS\n");
    for (CommandLine sub : subcommands(root)) {
      command(b, sub.getCommandSpec());
    }
    b.append(".SH EXIT STATUS\n")
        .append(".TP\n0\nSuccess.\n.TP\n1\nFailure (e.g. the agent cannot be reached).\n")
        .append(".TP\n2\nUsage error (unknown option or command, no command); \\fBmembers\\fR: no member matched.\n")
        .append(".TP\n78\nThe configuration is invalid (\\fBagent\\fR, \\fBconfig\\fR).\n");
    b.append(".SH FILES\n")
        .append(".TP\n/etc/vxmesh/vxmesh.toml\nThe configuration.\n")
        .append(".TP\n/etc/vxmesh/cluster.key\nThe mesh's shared key (\\fBvxmesh keygen\\fR), the same file on every host.\n");
    b.append(".SH SEE ALSO\n").append("\\fBsystemctl\\fR(1), \\fBip\\fR(8), /usr/share/doc/vxmesh/README.md\n");
    return b.toString();
  }

  /** Direct subcommands in declaration order, each once (picocli maps aliases too). */
  static List<CommandLine> subcommands(CommandSpec spec) {
    List<CommandLine> l = new ArrayList<>();
    for (CommandLine c : spec.subcommands().values()) {
      if (!l.contains(c) && !c.getCommandSpec().usageMessage().hidden()) {
        l.add(c);
      }
    }
    return l;
  }

  private static void command(StringBuilder b, CommandSpec spec) {
    b.append(".SS \"").append(spec.qualifiedName()).append("\"\n");
    b.append(synopsis(spec));
    b.append(".PP\n").append(text(String.join(" ", spec.usageMessage().description()))).append('\n');
    options(b, spec);
    for (CommandLine sub : subcommands(spec)) {
      command(b, sub.getCommandSpec());
    }
  }

  private static String synopsis(CommandSpec spec) {
    Help help = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF));
    return ".nf\n" + text(help.synopsis(0).strip()) + "\n.fi\n";
  }

  private static void options(StringBuilder b, CommandSpec spec) {
    for (PositionalParamSpec p : spec.positionalParameters()) {
      if (!p.hidden()) {
        b.append(".TP\n\\fI").append(text(p.paramLabel())).append("\\fR\n").append(description(p.description(), p.defaultValueString(), p.completionCandidates())).append('\n');
      }
    }
    for (OptionSpec o : spec.options()) {
      if (o.hidden()) {
        continue;
      }
      StringBuilder names = new StringBuilder();
      for (String n : o.names()) {
        names.append(names.length() == 0 ? "" : ", ").append("\\fB").append(text(n)).append("\\fR");
      }
      if (o.arity().max() > 0) {
        names.append(" \\fI").append(text(o.paramLabel())).append("\\fR");
      }
      b.append(".TP\n").append(names).append('\n').append(description(o.description(), o.defaultValueString(), o.completionCandidates())).append('\n');
    }
  }

  private static String description(String[] lines, String defaultValue, Iterable<String> candidates) {
    String d = String.join(" ", lines).replace("${DEFAULT-VALUE}", String.valueOf(defaultValue));
    if (d.contains("${COMPLETION-CANDIDATES}")) {
      d = d.replace("${COMPLETION-CANDIDATES}", candidates == null ? "" : String.join(", ", candidates));
    }
    return text(d);
  }

  /** Roff-safe text: backslashes escaped, hyphens as \-, no line starting a request. */
  static String text(String s) {
    String t = s.replace("\\", "\\e").replace("-", "\\-");
    StringBuilder b = new StringBuilder();
    for (String line : t.split("\n", -1)) {
      if (b.length() > 0) {
        b.append('\n');
      }
      b.append(line.startsWith(".") || line.startsWith("'") ? "\\&" + line : line);
    }
    return b.toString();
  }
}
