package io.vxmesh.testing;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded random and mutated inputs for the decoders' fuzz tests: the same seed gives the same
 * inputs, so a failure names its seed and case and replays. Mutations are the usual ones
 * (bit flips, random bytes, truncation, extension, insertion, deletion, duplicated slices) plus
 * "interesting" 32-bit values (0, -1, MAX, 2^20 ± 1, ...) written over a length field's place.
 */
public final class Mutations {
  private static final int[] INTERESTING = {0, 1, -1, 0x7f, 0x80, 0xff, 0xffff, 0x10000, (1 << 20) - 1, 1 << 20,
      (1 << 20) + 1, 1 << 24, Integer.MAX_VALUE, Integer.MIN_VALUE};
  private final Random random;

  public Mutations(long seed) {
    this.random = new Random(seed);
  }

  public Random random() {
    return random;
  }

  /** Random bytes, length 0..maxLength. */
  public byte[] randomBytes(int maxLength) {
    byte[] b = new byte[random.nextInt(maxLength + 1)];
    random.nextBytes(b);
    return b;
  }

  /** {@code input} with 1..4 random mutations. */
  public byte[] mutate(byte[] input) {
    byte[] b = input.clone();
    for (int n = 1 + random.nextInt(4); n > 0; n--) {
      b = mutateOnce(b);
    }
    return b;
  }

  private byte[] mutateOnce(byte[] b) {
    int len = b.length;
    int at = len == 0 ? 0 : random.nextInt(len);
    switch (random.nextInt(8)) {
      case 0 -> {
        if (len > 0) {
          b[at] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case 1 -> {
        if (len > 0) {
          b[at] = (byte) random.nextInt(256);
        }
      }
      case 2 -> b = Arrays.copyOf(b, len == 0 ? 0 : random.nextInt(len));
      case 3 -> {
        byte[] extra = randomBytes(64);
        byte[] c = Arrays.copyOf(b, len + extra.length);
        System.arraycopy(extra, 0, c, len, extra.length);
        b = c;
      }
      case 4 -> {
        byte[] extra = randomBytes(16);
        byte[] c = new byte[len + extra.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(extra, 0, c, at, extra.length);
        System.arraycopy(b, at, c, at + extra.length, len - at);
        b = c;
      }
      case 5 -> {
        int cut = len - at == 0 ? 0 : random.nextInt(Math.min(32, len - at) + 1);
        byte[] c = new byte[len - cut];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(b, at + cut, c, at, len - at - cut);
        b = c;
      }
      case 6 -> {
        int n = len - at == 0 ? 0 : 1 + random.nextInt(Math.min(64, len - at));
        byte[] c = Arrays.copyOf(b, len + n);
        System.arraycopy(b, at, c, len, n);
        b = c;
      }
      default -> {
        if (len >= 4) {
          int pos = random.nextBoolean() ? 0 : random.nextInt(len - 3);
          ByteBuffer.wrap(b).putInt(pos, INTERESTING[random.nextInt(INTERESTING.length)]);
        }
      }
    }
    return b;
  }

  /** Splits {@code b} into 1..8 random chunks (how a stream might deliver it). */
  public byte[][] chunks(byte[] b) {
    int n = 1 + random.nextInt(8);
    int[] cuts = new int[n + 1];
    cuts[n] = b.length;
    for (int i = 1; i < n; i++) {
      cuts[i] = b.length == 0 ? 0 : random.nextInt(b.length + 1);
    }
    Arrays.sort(cuts);
    byte[][] out = new byte[n][];
    for (int i = 0; i < n; i++) {
      out[i] = Arrays.copyOfRange(b, cuts[i], cuts[i + 1]);
    }
    return out;
  }

  /** Bytes this thread allocated so far (HotSpot), to bound what one input may cost. */
  public static long allocatedBytes() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
}
