package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.testing.Mutations;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the gossip decoders with seeded random and mutated inputs (reproducible: the seed and
 * case number are in every failure): the TCP stream reader ({@link FrameReader} with
 * {@link GossipFrame}), and the UDP datagram path ({@link AuthenticatedUnicast#deliver}). No
 * exception escapes, no input costs more than a bounded allocation, nothing that was not sealed
 * with the key is delivered, and valid input still is.
 */
class GossipFuzzTest {
  private static final long SEED = Long.getLong("fuzz.seed", 20261127L);
  private static final int CASES = Integer.getInteger("fuzz.cases", 100_000);
  /** What one small input may allocate: channel, reader and copies, never a claimed length. */
  private static final long ALLOCATION_BOUND = 256 * 1024;
  private static final int WARM_UP = 1000;

  private final ClusterKey key = ClusterKey.generate();
  private final PacketAuth auth = new PacketAuth(key, Clock.systemUTC());
  private final Rejections rejections = new Rejections(Clock.systemUTC());
  private final SourceGuard guard = new SourceGuard(SourceGuard.Limits.defaults());
  private final HostPort sender = HostPort.parse("10.0.0.7:7947");

  /** Keeps every frame the reader hands on. */
  private static final class Collect extends ChannelInboundHandlerAdapter {
    final List<GossipFrame> frames = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      frames.add((GossipFrame) msg);
    }
  }

  private byte[] wire(GossipFrame g) {
    byte[] f = auth.seal(FrameReader.MAC_DOMAIN, g.encode());
    return ByteBuffer.allocate(4 + f.length).putInt(f.length).put(f).array();
  }

  private GossipFrame randomFrame(Mutations m) {
    byte[] payload = m.randomBytes(300);
    return switch (m.random().nextInt(3)) {
      case 0 -> GossipFrame.request(m.random().nextLong(), "atomix-membership-probe", sender, payload);
      case 1 -> GossipFrame.request(0, "atomix-membership-sync", sender, payload);
      default -> GossipFrame.response(m.random().nextLong(), (byte) m.random().nextInt(4), payload);
    };
  }

  @Test
  void theTcpReaderSurvivesRandomAndMutatedStreamsAndStillAcceptsValidOnes() {
    Mutations m = new Mutations(SEED);
    // Sealing is the test's own cost (one HMAC each): seal a pool once, draw frames from it.
    List<GossipFrame> pool = new ArrayList<>();
    List<byte[]> pooledWire = new ArrayList<>();
    for (int i = 0; i < 512; i++) {
      GossipFrame g = randomFrame(m);
      pool.add(g);
      pooledWire.add(wire(g));
    }
    int delivered = 0;
    int closed = 0;
    int valid = 0;
    long maxAllocated = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < CASES; i++) {
      String where = "seed=" + SEED + " case=" + i;
      List<GossipFrame> sent = new ArrayList<>();
      ByteArrayOutputStream stream = new ByteArrayOutputStream();
      int kind = m.random().nextInt(4);
      if (kind > 0) {
        for (int n = 1 + m.random().nextInt(3); n > 0; n--) {
          int k = m.random().nextInt(pool.size());
          sent.add(pool.get(k));
          stream.writeBytes(pooledWire.get(k));
        }
      }
      byte[] input = switch (kind) {
        case 0 -> m.randomBytes(2048);
        case 1 -> stream.toByteArray();            // valid as sent
        default -> m.mutate(stream.toByteArray());
      };
      Set<String> authentic = new HashSet<>();
      sent.forEach(g -> authentic.add(describe(g)));

      long before = Mutations.allocatedBytes();
      Collect out = new Collect();
      EmbeddedChannel ch = new EmbeddedChannel(new FrameReader(auth, guard, rejections, Duration.ofSeconds(5), true), out);
      try {
        for (byte[] chunk : m.chunks(input)) {
          if (ch.isOpen()) {
            ch.writeInbound(Unpooled.wrappedBuffer(chunk));
          }
        }
        ch.checkException();
      } catch (RuntimeException e) {
        fail(where + ": exception escaped the reader: " + e, e);
      }
      long allocated = Mutations.allocatedBytes() - before;
      if (i >= WARM_UP) { // the first cases load and initialise Netty's classes
        maxAllocated = Math.max(maxAllocated, allocated);
        assertTrue(allocated < ALLOCATION_BOUND + 4L * input.length, where + ": " + input.length + " bytes in cost " + allocated + " bytes");
      }
      for (GossipFrame g : out.frames) {
        assertTrue(authentic.contains(describe(g)), where + ": delivered a frame nobody sealed: " + describe(g));
      }
      if (kind == 1) {
        assertEquals(sent.stream().map(GossipFuzzTest::describe).toList(), out.frames.stream().map(GossipFuzzTest::describe).toList(),
            where + ": valid frames in order");
        assertTrue(ch.isOpen(), where + ": a valid stream keeps its connection");
        valid++;
      }
      delivered += out.frames.size();
      closed += ch.isOpen() ? 0 : 1;
      ch.finishAndReleaseAll();
      assertEquals(0, guard.bytesInFlight(), where + ": budget returned");
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("figure fuzz_tcp cases=%d valid=%d delivered_frames=%d closed=%d rejected=%d max_alloc_per_case=%d ms=%d%n",
        CASES, valid, delivered, closed, rejections.total(), maxAllocated, ms);
    assertTrue(closed > CASES / 3, "garbage closes connections: " + closed);
  }

  @Test
  void aLengthClaimingGigabytesAllocatesNothingAndClosesTheConnection() {
    new EmbeddedChannel(new FrameReader(auth, guard, rejections, Duration.ofSeconds(5), true)).finishAndReleaseAll(); // warm up
    for (int len : new int[] {Integer.MAX_VALUE, -1, (1 << 20) + 1, 64 << 20}) {
      byte[] f = auth.seal(FrameReader.MAC_DOMAIN, GossipFrame.response(1, GossipFrame.OK, new byte[8]).encode());
      byte[] in = ByteBuffer.allocate(4 + f.length).putInt(len).put(f).array();
      long before = Mutations.allocatedBytes();
      EmbeddedChannel ch = new EmbeddedChannel(new FrameReader(auth, guard, rejections, Duration.ofSeconds(5), true));
      ch.writeInbound(Unpooled.wrappedBuffer(in));
      long allocated = Mutations.allocatedBytes() - before;
      assertTrue(!ch.isOpen(), "length " + Integer.toUnsignedString(len) + " closes the connection");
      assertTrue(allocated < ALLOCATION_BOUND, "length " + Integer.toUnsignedString(len) + " cost " + allocated + " bytes");
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void frameBodiesOnlyEverFailWithTheirOwnError() {
    Mutations m = new Mutations(SEED + 1);
    byte[] valid = GossipFrame.request(42, "atomix-membership-probe", sender, new byte[] {1, 2, 3}).encode();
    for (int i = 0; i < CASES; i++) {
      byte[] body = i % 2 == 0 ? m.randomBytes(64) : m.mutate(valid);
      try {
        GossipFrame g = GossipFrame.decode(body);
        assertTrue(g.payload().length <= body.length, "seed=" + SEED + " case=" + i);
      } catch (IllegalArgumentException expected) {
        // the one way a body may fail
      } catch (RuntimeException e) {
        fail("seed=" + (SEED + 1) + " case=" + i + ": " + e, e);
      }
    }
    GossipFrame back = GossipFrame.decode(valid);
    assertEquals("atomix-membership-probe", back.type());
    assertEquals(sender, back.sender());
    assertArrayEquals(new byte[] {1, 2, 3}, back.payload());
  }

  @Test
  void udpDatagramsSurviveRandomAndMutatedInputAndOnlyAuthenticOnesAreDelivered() {
    Mutations m = new Mutations(SEED + 2);
    String subject = "atomix-membership-gossip";
    Rejections udpRejections = new Rejections(Clock.systemUTC());
    AuthenticatedUnicast udp = new AuthenticatedUnicast(new InetSocketAddress(IpAddresses.parse("127.0.0.1"), 1), auth,
        udpRejections, PacketFilter.PASS_ALL, "fuzz");
    List<byte[]> got = new ArrayList<>();
    udp.addListener(subject, (from, payload) -> got.add(payload), Runnable::run);
    byte[] s = subject.getBytes(StandardCharsets.UTF_8);
    InetSocketAddress from = new InetSocketAddress(IpAddresses.parse("10.0.0.9"), 40000);
    int validSent = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < CASES; i++) {
      byte[] payload = m.randomBytes(200);
      byte[] frame = auth.seal(subject, payload);
      byte[] datagram = ByteBuffer.allocate(2 + s.length + frame.length).putShort((short) s.length).put(s).put(frame).array();
      int kind = m.random().nextInt(3);
      byte[] input = switch (kind) {
        case 0 -> m.randomBytes(1500);
        case 1 -> datagram;
        default -> m.mutate(datagram);
      };
      got.clear();
      try {
        udp.deliver(from, ByteBuffer.wrap(input));
      } catch (RuntimeException e) {
        fail("seed=" + (SEED + 2) + " case=" + i + ": " + e, e);
      }
      if (kind == 1) {
        validSent++;
        assertEquals(1, got.size(), "case " + i + ": a valid datagram is delivered");
      }
      for (byte[] p : got) {
        assertArrayEquals(payload, p, "seed=" + (SEED + 2) + " case=" + i + ": only the sealed payload");
      }
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("figure fuzz_udp cases=%d valid=%d rejected=%d ms=%d%n", CASES, validSent, udpRejections.total(), ms);
    assertEquals(Set.of("10.0.0.9"), udpRejections.bySource().keySet(), "counted against the datagram's source");
  }

  private static String describe(GossipFrame g) {
    return g.kind() + "/" + g.id() + "/" + g.type() + "/" + g.sender() + "/" + g.status() + "/" + g.payload().length
        + "/" + java.util.Arrays.hashCode(g.payload());
  }
}
