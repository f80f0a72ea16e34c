package io.vxmesh.lab.sim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * The simulated LAN: every datagram gets its own one-way delay (uniform between the settings'
 * bounds: switch and host jitter), is lost with the loss probability, and does not cross a
 * partition. Streams (TCP) are not lost but take the delay plus their size at the link rate, and
 * fail across a partition. Bytes are counted per member with IP/UDP (28 B per datagram) and
 * IP/TCP (40 B per 1,448-byte segment plus a 3-packet handshake) headers.
 */
public final class SimNetwork {
  static final int UDP_HEADER = 28;
  static final int TCP_HEADER = 40;
  static final int TCP_MSS = 1448;

  /**
   * @param loss datagram loss probability
   * @param minDelayNanos one-way delay lower bound
   * @param maxDelayNanos one-way delay upper bound
   * @param streamBitsPerSecond link rate streams are sent at
   */
  public record Settings(double loss, long minDelayNanos, long maxDelayNanos, long streamBitsPerSecond) {
    public Settings {
      if (loss < 0 || loss >= 1 || minDelayNanos < 0 || maxDelayNanos < minDelayNanos || streamBitsPerSecond <= 0) {
        throw new IllegalArgumentException("bad network settings: " + this);
      }
    }

    /** A LAN: 0.2-2 ms one way, 1 Gbit/s, the given loss. */
    public static Settings lan(double loss) {
      return new Settings(loss, 200_000, 2_000_000, 1_000_000_000L);
    }
  }

  /** Where delivered traffic goes. */
  interface Receiver {
    void datagram(int to, String fromAddress, byte[] bytes);

    void stream(int to, String fromAddress, byte[] bytes);
  }

  private final EventQueue clock;
  private final Random random;
  private final Settings settings;
  private final Trace trace;
  private final Receiver receiver;
  private final String[] addresses;
  private final Map<String, Integer> index = new HashMap<>();
  private final int[] group;
  private final long[] sent;
  private final long[] received;
  private long datagrams;
  private long lost;
  private long unroutable;

  SimNetwork(EventQueue clock, Random random, Settings settings, Trace trace, String[] addresses, Receiver receiver) {
    this.clock = clock;
    this.random = random;
    this.settings = settings;
    this.trace = trace;
    this.receiver = receiver;
    this.addresses = addresses;
    for (int i = 0; i < addresses.length; i++) {
      index.put(addresses[i], i);
    }
    this.group = new int[addresses.length];
    this.sent = new long[addresses.length];
    this.received = new long[addresses.length];
  }

  void sendDatagram(int from, String toAddress, byte[] bytes) {
    Integer to = index.get(toAddress);
    datagrams++;
    sent[from] += bytes.length + UDP_HEADER;
    if (to == null) {
      unroutable++;
      return;
    }
    trace.add(clock.now(), from, to, bytes.length);
    if (group[from] != group[to] || (settings.loss() > 0 && random.nextDouble() < settings.loss())) {
      lost++;
      return;
    }
    int dst = to;
    clock.after(delay(), dst, () -> {
      received[dst] += bytes.length + UDP_HEADER;
      receiver.datagram(dst, addresses[from], bytes);
    });
  }

  void sendStream(int from, String toAddress, byte[] bytes) {
    Integer to = index.get(toAddress);
    long wire = streamWireBytes(bytes.length);
    sent[from] += wire;
    if (to == null) {
      unroutable++;
      return;
    }
    trace.add(clock.now(), from, -1 - to, bytes.length);
    if (group[from] != group[to]) {
      return;
    }
    int dst = to;
    long transfer = (long) (wire * 8 * 1e9 / settings.streamBitsPerSecond());
    // Handshake (one round trip) before the data, then the data's own delay and transfer time.
    clock.after(3 * delay() + transfer, dst, () -> {
      received[dst] += wire;
      receiver.stream(dst, addresses[from], bytes);
    });
  }

  static long streamWireBytes(int payload) {
    long segments = Math.max(1, (payload + TCP_MSS - 1) / TCP_MSS);
    return payload + segments * TCP_HEADER + 3L * TCP_HEADER;
  }

  private long delay() {
    long span = settings.maxDelayNanos() - settings.minDelayNanos();
    return settings.minDelayNanos() + (span == 0 ? 0 : (long) (random.nextDouble() * span));
  }

  /** Splits the network: members in different groups cannot reach each other. */
  void partition(int[] groups) {
    System.arraycopy(groups, 0, group, 0, group.length);
  }

  void heal() {
    Arrays.fill(group, 0);
  }

  /** Bytes member i has sent so far, headers included. */
  long sentBytes(int i) {
    return sent[i];
  }

  long receivedBytes(int i) {
    return received[i];
  }

  long datagrams() {
    return datagrams;
  }

  long lost() {
    return lost;
  }

  long unroutable() {
    return unroutable;
  }
}
