package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.systemd.JournalTest;
import io.vxmesh.lab.testbed.Exec;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Poll;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.testing.E2ETest;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real agent ({@code java -jar vxmesh.jar agent}) in a namespace host, run and stopped the
 * way systemd does: SIGTERM must be an orderly stop with exit 0 (else {@code systemctl stop}
 * leaves the unit failed), keeping the kernel state for a hitless restart; and its log lines in
 * the journal carry their priorities.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@E2ETest
class AgentUnderSystemdTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration STOP = Duration.ofSeconds(20);
  private static final Map<String, String> PRIORITY = Map.of("ERROR", "<3>", "WARN", "<4>", "INFO", "<6>", "DEBUG", "<7>", "TRACE", "<7>");
  private static final Pattern EVENT_HEAD = Pattern.compile("(<[3467]>)(ERROR|WARN |INFO |DEBUG|TRACE) \\S+: ");
  private Testbed tb;
  private Host host;

  @BeforeAll
  void oneHost() {
    TestNetns.assumeRoot();
    tb = Testbed.create(1, false);
    host = tb.host(0);
  }

  @AfterAll
  void removeEverything() {
    if (tb != null) {
      tb.close();
    }
  }

  private AgentProcess started() {
    AgentProcess a = tb.startAgent(host);
    // This run's lines only: the log file keeps the earlier runs of this host.
    assertTrue(Poll.until(START, Duration.ofMillis(50), () -> lastRun(a).contains("agent ready")), "agent never got ready:\n" + a.log());
    return a;
  }

  private static String lastRun(AgentProcess a) {
    return a.log().substring(a.log().lastIndexOf("=== testbed: start"));
  }

  @Test
  void sigtermIsAnOrderlyStopWithExit0AndKeepsTheKernelState() {
    AgentProcess a = started();
    assertEquals(0, a.stop(STOP), "exit code after SIGTERM; log:\n" + a.log());
    String log = lastRun(a);
    assertTrue(log.contains("agent stopped node=master1"), "no 'agent stopped' line:\n" + log);
    assertEquals(1, log.split("agent stopping node=", -1).length - 1, "closed exactly once:\n" + log);
    assertTrue(log.indexOf("agent stopping") < log.indexOf("agent stopped"), log);
    assertTrue(tb.tables().vtepLink(host).isPresent(), "SIGTERM is a hitless restart: the VTEP device stays");
  }

  @Test
  void sigintStopsTheSameWay() {
    AgentProcess a = started();
    Exec.run(Duration.ofSeconds(5), List.of("kill", "-INT", Long.toString(a.pid()))).orThrow();
    assertEquals(OptionalInt.of(0), a.awaitExit(STOP), "exit code after SIGINT; log:\n" + a.log());
    assertTrue(lastRun(a).contains("agent stopped node=master1"), lastRun(a));
  }

  /**
   * Under journald (stdout and stderr on the stream $JOURNAL_STREAM names) every line the agent
   * writes starts with its priority, so {@code journalctl -u vxmesh -p warning} shows warnings
   * and errors only; and there is no timestamp of ours. A garbage frame on the API socket makes
   * the WARN line.
   */
  @Test
  void underJournaldEveryLineCarriesItsPriority() throws Exception {
    Path journal = Files.createFile(tb.dir().resolve("journal.out"));
    Path config = tb.agentToml(host).write(tb.dir().resolve("journal.toml"));
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", host.ns(), AgentProcess.javaBinary()));
    cmd.addAll(AgentProcess.TEST_JVM_ARGS);
    cmd.addAll(List.of("-jar", AgentProcess.locateJar().toString(), "agent", "--config", config.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(journal.toFile()));
    pb.environment().put("JOURNAL_STREAM", JournalTest.devIno(journal));
    pb.environment().remove("NOTIFY_SOCKET");
    Process p = pb.start();
    try {
      assertTrue(Poll.until(START, Duration.ofMillis(50), () -> read(journal).contains("agent ready")), read(journal));
      try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(tb.agents().socket(host)))) {
        byte[] garbage = new byte[101];
        Arrays.fill(garbage, (byte) 0xff);
        garbage[0] = 100;
        ch.write(ByteBuffer.wrap(garbage));
        assertTrue(Poll.until(STOP, Duration.ofMillis(50), () -> read(journal).contains("api bad frame")), read(journal));
      }
      p.destroy();
      assertTrue(p.waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS), "stopped on SIGTERM");
      assertEquals(0, p.exitValue(), read(journal));
    } finally {
      p.destroyForcibly();
    }
    List<String> lines = read(journal).lines().toList();
    assertTrue(lines.size() > 4, read(journal));
    // An event's first line: priority, level, no timestamp. Its further lines (a stack trace):
    // the same priority, since journald reads every line on its own.
    String eventPriority = null;
    for (String line : lines) {
      Matcher head = EVENT_HEAD.matcher(line);
      if (head.lookingAt()) {
        eventPriority = head.group(1);
        assertEquals(PRIORITY.get(head.group(2).strip()), eventPriority, line);
      } else {
        assertTrue(eventPriority != null && line.startsWith(eventPriority), "a line without its event's priority: " + line);
      }
    }
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("<6>INFO  Agent: agent ready node=master1")), read(journal));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("<4>WARN  ApiServer: api bad frame")), read(journal));
    // A clean stop adds nothing to `journalctl -p warning` (a view refresh cut short by the stop was a WARN).
    List<String> stop = lines.subList(indexOf(lines, "agent stop requested"), lines.size());
    assertEquals(List.of(), stop.stream().filter(l -> l.matches("<[34]>.*")).toList(), "warnings while stopping:\n" + read(journal));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("<6>INFO  Agent: agent stopped node=master1")), read(journal));
  }

  private static int indexOf(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i;
      }
    }
    throw new AssertionError("no line with '" + text + "' in\n" + String.join("\n", lines));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }
}
