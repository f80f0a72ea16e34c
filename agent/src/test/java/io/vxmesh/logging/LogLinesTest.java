package io.vxmesh.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vxmesh.systemd.JournalLayout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** Text lines quote key=value values with spaces; JSON lines carry them as fields. */
class LogLinesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final LoggerContext CTX = (LoggerContext) LoggerFactory.getILoggerFactory();

  static LoggingEvent event(Level level, String msg, Object... args) {
    LoggingEvent e = new LoggingEvent("x", CTX.getLogger("io.vxmesh.gossip.MemberTracker"), level, msg, null, args);
    e.setTimeStamp(1_795_000_000_123L);
    return e;
  }

  static JournalLayout layout(String pattern, boolean journal, String format) {
    JournalLayout l = new JournalLayout();
    l.setContext(CTX);
    l.getInstanceConverterMap().put("kvmsg", KeyValueMessageConverter::new);
    l.setPattern(pattern);
    l.setJournal(journal);
    l.setFormat(format);
    l.start();
    return l;
  }

  @Test
  void textQuotesValuesWithSpacesAndLeavesOthersAlone() {
    LoggingEvent e = event(Level.WARN, "member status node={} status={} reason={} self={} note {}",
        "worker1", "failed", "failed (no longer reachable)", false, "free text stays");
    assertEquals("member status node=worker1 status=failed reason=\"failed (no longer reachable)\" self=false note free text stays",
        KeyValues.text(e));
    assertEquals("<4>WARN  MemberTracker: member status node=worker1 status=failed reason=\"failed (no longer reachable)\""
        + " self=false note free text stays\n", layout("%-5level %logger{0}: %kvmsg%n", true, "text").doLayout(e));
  }

  @Test
  void textEscapesQuotesAndQuotesEmptyAndEqualsValues() {
    assertEquals("a=\"say \\\"hi\\\"\" b=\"\" c=\"x=y\" d=\"two\\nlines\" e=plain", KeyValues.text(
        event(Level.INFO, "a={} b={} c={} d={} e={}", "say \"hi\"", "", "x=y", "two\nlines", "plain")));
    assertEquals("literal {} kept n=1", KeyValues.text(event(Level.INFO, "literal \\{} kept n={}", 1)));
  }

  @Test
  void textAppendsSlf4jKeyValuePairs() {
    LoggingEvent e = event(Level.WARN, "drift repaired device={}", "vxmesh10001");
    e.setKeyValuePairs(new ArrayList<>(List.of(new KeyValuePair("peer", "worker1"), new KeyValuePair("drifted", "route fdb"))));
    assertEquals("drift repaired device=vxmesh10001 peer=worker1 drifted=\"route fdb\"", KeyValues.text(e));
  }

  @Test
  void jsonHasExactlyTheRealFields() throws Exception {
    LoggingEvent e = event(Level.WARN, "member status node={} status={} reason={} self={} vni={}",
        "worker1", "failed", "failed (no longer reachable)", false, 10001);
    e.setKeyValuePairs(new ArrayList<>(List.of(new KeyValuePair("generation", 7L), new KeyValuePair("level", "x"))));
    String line = layout("%kvmsg%n", false, "json").doLayout(e);
    assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
    assertEquals("{\"time\":\"2026-11-18T11:06:40.123Z\",\"level\":\"WARN\",\"logger\":\"io.vxmesh.gossip.MemberTracker\","
        + "\"message\":\"member status node=worker1 status=failed reason=failed (no longer reachable) self=false vni=10001\","
        + "\"node\":\"worker1\",\"status\":\"failed\",\"reason\":\"failed (no longer reachable)\",\"self\":false,\"vni\":10001,"
        + "\"generation\":7,\"_level\":\"x\"}\n", line);
    JsonNode n = JSON.readTree(line);
    assertEquals(10001, n.get("vni").intValue());
  }

  @Test
  void jsonUnderJournaldHasNoTimeAndOnePrefix() throws Exception {
    LoggingEvent e = new LoggingEvent("x", CTX.getLogger("io.vxmesh.reconcile.Reconciler"), Level.ERROR,
        "reconcile pass failed error={}", new IllegalStateException("boom\nsecond"), new Object[] {"java.lang.IllegalStateException: boom"});
    String line = layout("%kvmsg%n", true, "json").doLayout(e);
    assertTrue(line.startsWith("<3>{\"level\":\"ERROR\","), line);
    assertEquals(1, line.lines().count(), "the trace is escaped inside the line: " + line);
    JsonNode n = JSON.readTree(line.substring(3));
    assertTrue(n.get("time") == null, line);
    assertTrue(n.get("error").textValue().startsWith("java.lang.IllegalStateException: boom\nsecond\n\tat "), line);
  }

  /**
   * logback.xml wires %kvmsg, and LogFormat switches the real console appender to JSON and back.
   * logback.xml itself raises no warning: one (a deprecated attribute) makes logback print its
   * whole status log at the top of the agent's output.
   */
  @Test
  void theShippedConfigQuotesAndSwitchesToJson() throws Exception {
    assertTrue(new ch.qos.logback.core.status.StatusUtil(CTX).getHighestLevel(0) < ch.qos.logback.core.status.Status.WARN,
        () -> CTX.getStatusManager().getCopyOfStatusList().toString());
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    org.slf4j.Logger log = LoggerFactory.getLogger("io.vxmesh.gossip.MemberTracker");
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      log.warn("member status node={} reason={}", "worker1", "no longer reachable");
      assertEquals(1, LogFormat.apply("json"));
      log.warn("member status node={} reason={}", "worker2", "no longer reachable");
    } finally {
      LogFormat.apply("text");
      System.setOut(saved);
    }
    List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(2, lines.size(), buf.toString());
    assertTrue(lines.get(0).endsWith("WARN  MemberTracker: member status node=worker1 reason=\"no longer reachable\""), lines.get(0));
    JsonNode n = JSON.readTree(lines.get(1));
    assertEquals("worker2", n.get("node").textValue());
    assertEquals("no longer reachable", n.get("reason").textValue());
  }
}
