package io.vxmesh.gossip;

import static io.vxmesh.gossip.Fixtures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.IpAddresses;
import io.vxmesh.testing.GossipAttacker;
import io.vxmesh.testing.LogCapture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, attacks 1 and 7, in one JVM on loopback: a keyless attacker at 127.0.0.9 floods a
 * member's gossip port with forged 1 MB frames (fresh stamps, wrong MAC) on one connection, on
 * many connections at once, and holds silent connections. The member's receive budget holds,
 * its peers never see it failed, every rejection is counted against 127.0.0.9 and the log gets
 * a bounded number of lines. (The same attack against a real agent process with the shipped
 * 64 MB heap is lab's GossipFloodE2ETest.)
 */
class GossipFloodTest {
  private static final InetAddress ATTACKER = IpAddresses.parse("127.0.0.9");
  private final ClusterKey key = ClusterKey.generate();
  private final List<AtomixMembership> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(m -> m.leave(Duration.ofMillis(1)));
  }

  @Test
  void forgedMegabyteFramesCostBoundedMemoryAreBlamedOnTheRealSourceAndNeverFailTheMember() throws Exception {
    int seedPort = Fixtures.freePort();
    List<String> seed = List.of("127.0.0.1:" + seedPort);
    List<AtomixMembership> ms = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      AtomixMembership m = new AtomixMembership(Fixtures.settings("n" + (i + 1), i == 0 ? seedPort : Fixtures.freePort(), seed, key, i + 1));
      started.add(m);
      m.start();
      ms.add(m);
    }
    await(Duration.ofSeconds(15), "3 alive", () -> ms.stream().allMatch(m -> m.view().complete()
        && m.view().members().stream().filter(s -> s.status() == MemberStatus.ALIVE).count() == 3));
    AtomixMembership target = ms.get(0);
    byte[] frame = GossipAttacker.forgedFrame(GossipAttacker.MB);
    InetSocketAddress victim = new InetSocketAddress(Fixtures.LOOPBACK, seedPort);

    try (LogCapture logs = new LogCapture(Rejections.class)) {
      AtomicLong maxInFlight = new AtomicLong();
      List<String> failedSeen = new ArrayList<>();
      ExecutorService attack = Executors.newFixedThreadPool(17);
      long t0 = System.nanoTime();
      // one connection, 64 frames (reconnecting after each hang-up)
      var oneConnection = attack.submit(() -> GossipAttacker.flood(ATTACKER, victim, 64, frame));
      // 16 attackers at once, 8 frames each: 128 more frames over many connections
      List<java.util.concurrent.Future<Integer>> many = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        many.add(attack.submit(() -> GossipAttacker.flood(ATTACKER, victim, 8, frame)));
      }
      // and 100 connections that say nothing
      List<Socket> silent = GossipAttacker.holdSilent(ATTACKER, victim, 100);
      while (!oneConnection.isDone() || many.stream().anyMatch(f -> !f.isDone())) {
        maxInFlight.accumulateAndGet(target.tcpBytesInFlight(), Math::max);
        for (AtomixMembership peer : ms.subList(1, 3)) {
          peer.view().members().stream().filter(s -> s.name().equals("n1") && s.status() == MemberStatus.FAILED)
              .forEach(s -> failedSeen.add(s.toString()));
        }
        Thread.sleep(5);
      }
      long attackMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      int written = oneConnection.get();
      for (var f : many) {
        written += f.get();
      }
      attack.shutdown();
      for (Socket s : silent) {
        s.close();
      }

      GossipStats stats = target.stats();
      System.out.printf("figure flood_in_jvm attack_ms=%d frames_sent=192 frames_fully_written=%d max_bytes_buffered=%d "
          + "rejected=%d by_source=%s log_lines=%d%n", attackMs, written, maxInFlight.get(), stats.rejectedPackets(),
          stats.rejectedBySource(), logs.lines().size());
      assertEquals(List.of(), failedSeen, "peers saw the attacked member failed");
      // the attacker's share is capped at 2 MiB (its frames in flight at once); the peers' own
      // frames come on top, and all of it stays under the 8 MiB total
      assertTrue(maxInFlight.get() <= SourceGuard.Limits.defaults().bytes(), "buffered " + maxInFlight.get() + " bytes");
      assertTrue(maxInFlight.get() <= SourceGuard.Limits.defaults().bytesPerSource() + 64 * 1024,
          "one source buffered about " + maxInFlight.get() + " bytes");
      assertTrue(stats.rejectedPackets() >= 17, "every attacker was rejected at least once: " + stats);
      assertEquals(List.of("127.0.0.9"), List.copyOf(stats.rejectedBySource().keySet()), "blamed on the real source only");
      assertTrue(logs.lines().size() <= 1 + attackMs / Rejections.LOG_INTERVAL_MS, "one line per source per interval: " + logs.lines());
    }
    // and the member still works: all three alive everywhere
    await(Duration.ofSeconds(10), "all alive after the attack", () -> ms.stream().allMatch(m ->
        m.view().members().stream().filter(s -> s.status() == MemberStatus.ALIVE).count() == 3));
  }
}
