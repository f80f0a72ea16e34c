package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.testing.Await;
import io.vxmesh.testing.E2ETest;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sd_notify contract of a real agent ({@code java -jar vxmesh.jar agent} in a namespace
 * host), read from a notify socket the test binds, as systemd would with {@code Type=notify}
 * and {@code WatchdogSec=}: READY=1 only once the first complete membership view has been
 * reconciled; with its one seed down that is after the gossip join timeout (5 s) declared the
 * view complete. Then WATCHDOG=1 at half of WATCHDOG_USEC, and after SIGTERM STOPPING=1 with
 * no WATCHDOG=1 after it.
 */
@E2ETest
class AgentWatchdogE2ETest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration STOP = Duration.ofSeconds(20);
  /** GossipTimers' join timeout; not configurable, see docs/gossip.md. */
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
  private static final long WATCHDOG_USEC = 400_000;

  /** One datagram; for READY=1 also the agent's log as it was when the datagram arrived. */
  private record Datagram(String text, long atNanos, String logThen) {
    boolean is(String assignment) {
      return text.lines().anyMatch(assignment::equals);
    }
  }

  @Test
  void readyAfterTheFirstCompleteReconcileThenWatchdogPingsUntilStopping(@TempDir Path sockDir) throws Exception {
    TestNetns.assumeRoot();
    // A filesystem socket (the abstract namespace is per network namespace), short for sun_path.
    Path notifySocket = sockDir.resolve("notify.sock");
    List<Datagram> got = new CopyOnWriteArrayList<>();
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    try (Testbed tb = Testbed.create(2, false)) {
      Host host = tb.host(0);
      Host deadSeed = tb.host(1); // its namespace exists, no agent ever runs there
      Path log = tb.dir().resolve("watchdog.log");
      group.next(); // start the loop thread before the agent
      var channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
          .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
              String text = p.content().toString(StandardCharsets.UTF_8);
              long at = System.nanoTime();
              got.add(new Datagram(text, at, text.lines().anyMatch("READY=1"::equals) ? read(log) : ""));
            }
          })
          .bind(new DomainSocketAddress(notifySocket.toFile())).sync().channel();

      String seed = deadSeed.spec().underlayIp().getHostAddress() + ":" + tb.overlay().gossipPort();
      Path config = tb.agentToml(host).withJoin(List.of(seed)).write(tb.dir().resolve("watchdog.toml"));
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", host.ns(), AgentProcess.javaBinary()));
      cmd.addAll(AgentProcess.TEST_JVM_ARGS);
      cmd.addAll(List.of("-jar", AgentProcess.locateJar().toString(), "agent", "--config", config.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectInput(new File("/dev/null"));
      Map<String, String> env = pb.environment();
      env.remove("JOURNAL_STREAM");
      env.remove("STATE_DIRECTORY");
      env.remove("WATCHDOG_PID"); // `ip netns exec` execs java, but its PID is not known before the start
      env.put("NOTIFY_SOCKET", notifySocket.toString());
      env.put("WATCHDOG_USEC", Long.toString(WATCHDOG_USEC));
      long started = System.nanoTime();
      Process agent = pb.start();
      try {
        // READY=1: once, after the reconcile of the view the join timeout declared complete.
        Await.until(START, "READY=1 on the notify socket", () -> first(got, d -> d.is("READY=1")) >= 0 || !agent.isAlive());
        int readyAt = first(got, d -> d.is("READY=1"));
        assertTrue(readyAt >= 0, "agent exited without READY=1; datagrams " + shown(got) + "\n" + read(log));
        Datagram ready = got.get(readyAt);
        String then = ready.logThen();
        assertTrue(then.contains("gossip join timeout"), "READY=1 before the join timeout completed the view; log then:\n" + then);
        assertTrue(then.contains("agent ready node=master1"), "READY=1 before the 'agent ready' line; log then:\n" + then);
        assertTrue(then.indexOf("gossip join timeout") < then.indexOf("agent ready node=master1"), then);
        assertTrue(ready.text().contains("last_reconcile=ok"), "READY=1 without a reconciled pass: " + ready.text());
        assertTrue(ready.atNanos() - started >= JOIN_TIMEOUT.toNanos(),
            "READY=1 " + TimeUnit.NANOSECONDS.toMillis(ready.atNanos() - started) + " ms after the start, inside the join timeout");

        // WATCHDOG=1 every WATCHDOG_USEC/2 = 200 ms: at least 3 within 2 s of READY.
        long readyNanos = ready.atNanos();
        Await.until(Duration.ofSeconds(2), "3 WATCHDOG=1 within 2 s of READY=1; datagrams " + shown(got),
            () -> got.stream().filter(d -> d.is("WATCHDOG=1") && d.atNanos() > readyNanos).count() >= 3);

        // SIGTERM: STOPPING=1, then no more pings; exit 0.
        agent.destroy();
        assertTrue(agent.waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS), "exited after SIGTERM:\n" + read(log));
        assertEquals(0, agent.exitValue(), read(log));
        Await.until(Duration.ofSeconds(5), "STOPPING=1; datagrams " + shown(got), () -> first(got, d -> d.is("STOPPING=1")) >= 0);
        Thread.sleep(WATCHDOG_USEC / 1000); // anything still in the socket buffer is read by now
      } finally {
        agent.destroyForcibly();
        channel.close().sync();
      }
      List<Datagram> all = List.copyOf(got);
      int stopping = first(all, d -> d.is("STOPPING=1"));
      List<Datagram> after = all.subList(stopping + 1, all.size());
      assertEquals(List.of(), after.stream().filter(d -> d.is("WATCHDOG=1")).map(Datagram::text).toList(),
          "WATCHDOG=1 after STOPPING=1; datagrams " + shown(all));
      assertEquals(1, all.stream().filter(d -> d.is("READY=1")).count(), "READY=1 exactly once; datagrams " + shown(all));
      assertTrue(all.subList(readyAt(all), stopping).stream().filter(d -> d.is("WATCHDOG=1")).count() >= 3, shown(all));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static int readyAt(List<Datagram> all) {
    return first(all, d -> d.is("READY=1"));
  }

  private static int first(List<Datagram> datagrams, Predicate<Datagram> p) {
    for (int i = 0; i < datagrams.size(); i++) {
      if (p.test(datagrams.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** The datagrams in order, first lines only: "WATCHDOG=1, WATCHDOG=1, READY=1, ...". */
  private static String shown(List<Datagram> datagrams) {
    return datagrams.stream().map(d -> d.text().lines().findFirst().orElse("")).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }
}
