package io.vxmesh.swim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.proto.swim.Alive;
import io.vxmesh.proto.swim.SwimMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class BroadcastQueueTest {
  private static SwimMessage alive(String node, long inc) {
    return SwimMessage.newBuilder().setAlive(Alive.newBuilder().setNode(node).setAddress(node).setIncarnation(inc)).build();
  }

  @Test
  void eachBroadcastIsSentRetransmitMultTimesLog10OfClusterSize() {
    int n = 1000; // 4 * ceil(log10(1001)) = 16
    BroadcastQueue q = new BroadcastQueue(SwimConfig.tuned(), () -> n, () -> { });
    q.add("x", alive("x", 1));
    int sent = 0;
    while (!q.take(1400).isEmpty()) {
      sent++;
    }
    assertEquals(16, sent);
    assertEquals(16, SwimConfig.tuned().transmitLimit(1000));
    assertEquals(4, SwimConfig.tuned().transmitLimit(1));
  }

  @Test
  void newerBroadcastAboutTheSameNodeReplacesTheQueuedOne() {
    BroadcastQueue q = new BroadcastQueue(SwimConfig.tuned(), () -> 10, () -> { });
    q.add("x", alive("x", 1));
    q.add("x", alive("x", 2));
    assertEquals(1, q.size());
    assertEquals(2, q.take(1400).get(0).getAlive().getIncarnation());
  }

  @Test
  void leastTransmittedAndNewestGoFirstWithinTheByteBudget() {
    BroadcastQueue q = new BroadcastQueue(SwimConfig.tuned(), () -> 10, () -> { });
    q.add("old", alive("old", 1));
    q.take(1400); // "old" now sent once
    q.add("new1", alive("new1", 1));
    q.add("new2", alive("new2", 1));
    int one = alive("new1", 1).getSerializedSize() + BroadcastQueue.PER_MESSAGE_OVERHEAD;
    List<SwimMessage> first = q.take(2 * one);
    assertEquals(List.of("new2", "new1"), first.stream().map(m -> m.getAlive().getNode()).toList());
    // Now all were sent once: newest first again, the old one last.
    List<String> next = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      next.add(q.take(one).get(0).getAlive().getNode());
    }
    assertEquals(List.of("new2", "new1", "old"), next);
    int budget = 3 * one - 1;
    int used = q.take(budget).stream().mapToInt(m -> m.getSerializedSize() + BroadcastQueue.PER_MESSAGE_OVERHEAD).sum();
    assertTrue(used <= budget, used + " > " + budget);
  }

  @Test
  void orderSurvivesTheIdCounterReachingIntMax() {
    BroadcastQueue q = new BroadcastQueue(SwimConfig.tuned(), () -> 10, () -> { });
    q.nextIdForTest(Integer.MAX_VALUE - 2);
    q.add("node-a", alive("node-a", 1));
    q.add("node-b", alive("node-b", 1));
    q.take(1400); // a and b sent once, b first
    q.add("node-c", alive("node-c", 1)); // the counter is at its end: renumbered first
    q.add("node-d", alive("node-d", 1));
    q.add("node-a", alive("node-a", 2)); // replaces a, newest of all
    int one = alive("node-a", 2).getSerializedSize() + BroadcastQueue.PER_MESSAGE_OVERHEAD;
    List<String> next = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      next.add(q.take(one).get(0).getAlive().getNode());
    }
    // Unsent ones newest first, then the once-sent ones newest first: b, renumbered, is the oldest.
    assertEquals(List.of("node-a", "node-d", "node-c", "node-a", "node-d", "node-c", "node-b"), next);
  }
}
