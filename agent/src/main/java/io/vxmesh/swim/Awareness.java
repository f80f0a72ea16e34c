package io.vxmesh.swim;

/**
 * Lifeguard's local health multiplier: a score from 0 (healthy) to max-1 that grows when this
 * node's own probes go unanswered without nacks from its helpers, or when it has to refute a
 * suspicion of itself — signs that this node, not its peers, is slow. Timeouts are stretched by
 * score+1, so an overloaded host stops accusing healthy peers. Successful probes lower it.
 */
final class Awareness {
  private final int max;
  private int score;

  Awareness(int max) {
    this.max = max;
  }

  void apply(int delta) {
    score = Math.max(0, Math.min(max - 1, score + delta));
  }

  int score() {
    return score;
  }

  long scale(long nanos) {
    return nanos * (score + 1);
  }
}
