package io.vxmesh.swim;

import java.util.HashSet;
import java.util.Set;

/**
 * Lifeguard's suspicion timer for one suspect: it starts at the maximum and shrinks towards the
 * minimum, logarithmically, with each independent confirmation (another member that suspects the
 * same incarnation), to reach the minimum after {@code k}. Many accusers make a fast verdict; a
 * lone accuser, maybe itself sick, waits long enough for the suspect to refute. The accuser that
 * started the suspicion is not counted again when its own rumour comes back.
 */
final class Suspicion {
  private final long incarnation;
  private final int k;
  private final long minNanos;
  private final long maxNanos;
  private final long startNanos;
  private final Set<String> confirmers = new HashSet<>();
  private int confirmations;

  Suspicion(long incarnation, String firstAccuser, int k, long minNanos, long maxNanos, long startNanos) {
    this.incarnation = incarnation;
    this.k = k;
    this.minNanos = minNanos;
    this.maxNanos = Math.max(minNanos, maxNanos);
    this.startNanos = startNanos;
    confirmers.add(firstAccuser);
  }

  long incarnation() {
    return incarnation;
  }

  /** Counts {@code from} once; true if it was a new confirmation that shortens the timeout. */
  boolean confirm(String from) {
    if (confirmations >= k || !confirmers.add(from)) {
      return false;
    }
    confirmations++;
    return true;
  }

  /** The whole timeout for the confirmations so far. */
  long timeoutNanos() {
    if (k < 1) {
      return minNanos;
    }
    double frac = Math.log(confirmations + 1.0) / Math.log(k + 1.0);
    long t = (long) (maxNanos - frac * (maxNanos - minNanos));
    return Math.max(minNanos, t);
  }

  /** When the suspect is to be declared dead. */
  long deadlineNanos() {
    return startNanos + timeoutNanos();
  }
}
