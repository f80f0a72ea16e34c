package io.vxmesh.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd-daemon priority prefixes on every line under journald, and only there. */
public class JournalTest {
  @TempDir Path dir;

  static String layout(boolean journal, Level level, String message, Throwable t) {
    LoggerContext ctx = new LoggerContext();
    JournalLayout l = new JournalLayout();
    l.setContext(ctx);
    l.setPattern("%-5level %logger{0}: %msg%n");
    l.setJournal(journal);
    l.start();
    Logger logger = ctx.getLogger("io.vxmesh.Agent");
    return l.doLayout(new LoggingEvent(Logger.class.getName(), logger, level, message, t, null));
  }

  @Test
  void everyLevelGetsItsSyslogPriority() {
    assertEquals("<3>ERROR Agent: boom\n", layout(true, Level.ERROR, "boom", null));
    assertEquals("<4>WARN  Agent: careful\n", layout(true, Level.WARN, "careful", null));
    assertEquals("<6>INFO  Agent: member joined node=n1\n", layout(true, Level.INFO, "member joined node=n1", null));
    assertEquals("<7>DEBUG Agent: netlink\n", layout(true, Level.DEBUG, "netlink", null));
    assertEquals("<7>TRACE Agent: bytes\n", layout(true, Level.TRACE, "bytes", null));
  }

  @Test
  void everyLineOfAStackTraceAndOfAMultiLineMessageCarriesThePrefix() {
    String out = layout(true, Level.ERROR, "handler failed", new IllegalStateException("bad", new RuntimeException("cause")));
    List<String> lines = out.lines().toList();
    assertTrue(lines.size() > 5, out);
    assertTrue(lines.stream().allMatch(l -> l.startsWith("<3>")), "journald parses each line on its own:\n" + out);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("<3>\tat ")), out);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("<3>Caused by: java.lang.RuntimeException: cause")), out);
    assertEquals("<4>WARN  Agent: one\n<4>two\n", layout(true, Level.WARN, "one\ntwo", null));
  }

  @Test
  void withoutJournalItIsThePlainPattern() {
    assertEquals("WARN  Agent: careful\n", layout(false, Level.WARN, "careful", null));
  }

  @Test
  void stderrLinesAreErrorsWhetherWrittenWholeOrInPieces() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(new JournalStream.LinePrefixer(sink, JournalStream.SD_ERR), true, StandardCharsets.UTF_8);
    err.println("vxmesh: cannot set up the VTEP device");
    err.print("two ");
    err.print("pieces\nand a");
    err.println(" third");
    assertEquals("<3>vxmesh: cannot set up the VTEP device\n<3>two pieces\n<3>and a third\n", sink.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theJournalIsOnlyTheStreamJournalStreamNames() throws IOException {
    Path f = Files.createFile(dir.resolve("out"));
    String devIno = devIno(f);
    assertTrue(JournalStream.connected(devIno, f));
    assertFalse(JournalStream.connected(null, f));
    assertFalse(JournalStream.connected("1:2", f), "inherited from a unit, but this output goes elsewhere");
    assertFalse(JournalStream.connected("garbage", f));
    assertFalse(JournalStream.connected(devIno, dir.resolve("absent")));
  }

  /** "st_dev:st_ino" in decimal, as systemd writes $JOURNAL_STREAM. */
  public static String devIno(Path f) throws IOException {
    return Files.getAttribute(f, "unix:dev") + ":" + Files.getAttribute(f, "unix:ino");
  }

  /**
   * The real jar with stdout and stderr on one stream that $JOURNAL_STREAM names, as under
   * systemd: the agent's one-line config error is priority 3, so {@code journalctl -p err}
   * shows why the unit failed.
   */
  @Test
  void theRealAgentsConfigErrorIsAnErrorInTheJournal() throws Exception {
    Path log = Files.createFile(dir.resolve("journal"));
    Path config = dir.resolve("absent.toml");
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-XX:TieredStopAtLevel=1", "-jar",
        System.getProperty("vxmesh.jar", "target/vxmesh.jar"), "agent", "--config", config.toString());
    pb.environment().put("JOURNAL_STREAM", devIno(log));
    Process p = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(78, p.exitValue());
    assertEquals("<3>" + config + ": file does not exist\n", Files.readString(log));
  }
}
