package io.vxmesh.lab.sim;

/**
 * A running 64-bit hash of everything observable in a run (every datagram and stream sent, every
 * membership event), so two runs can be compared with one number: same seed, same hash.
 */
final class Trace {
  private long hash = 0x6a09e667f3bcc908L;
  private long records;

  void add(long a, long b, long c, long d) {
    hash = mix(mix(mix(mix(hash ^ a) ^ b) ^ c) ^ d);
    records++;
  }

  long hash() {
    return hash;
  }

  long records() {
    return records;
  }

  /** SplitMix64's finaliser: cheap, and every input bit reaches every output bit. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
