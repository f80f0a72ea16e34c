package io.vxmesh.swim;

import io.vxmesh.proto.swim.SwimMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.IntSupplier;

/**
 * Broadcasts waiting to be piggybacked, each sent a limited number of times (memberlist's
 * TransmitLimitedQueue idea): the limit grows with log10 of the cluster size, so a rumour reaches
 * everyone with high probability while the cost per member stays flat. Packets are filled with
 * the least-transmitted broadcasts first (newest first among equals), so fresh news overtakes
 * old. A newer broadcast about a node replaces the queued one: only the latest state travels.
 * Not thread-safe (one scheduler thread).
 */
final class BroadcastQueue {
  /** Bytes a message costs inside a Packet beyond its own encoding: field tag + length varint. */
  static final int PER_MESSAGE_OVERHEAD = 3;
  private static final int MIN_USEFUL = 16;
  private static final int MAX_SKIPS = 8;

  private static final Comparator<Entry> ORDER =
      Comparator.<Entry>comparingInt(e -> e.transmits).thenComparing(e -> -e.id);

  private static final class Entry {
    final String node;
    final SwimMessage message;
    final int size;
    final long id;
    int transmits;

    Entry(String node, SwimMessage message, long id) {
      this.node = node;
      this.message = message;
      this.size = message.getSerializedSize() + PER_MESSAGE_OVERHEAD;
      this.id = id;
    }
  }

  private final TreeSet<Entry> queue = new TreeSet<>(ORDER);
  private final Map<String, Entry> byNode = new HashMap<>();
  private final IntSupplier clusterSize;
  private final SwimConfig config;
  private final Runnable onAdd;
  private long nextId;

  /** {@code onAdd} runs after every {@link #add} (the node arms its gossip timer). */
  BroadcastQueue(SwimConfig config, IntSupplier clusterSize, Runnable onAdd) {
    this.config = config;
    this.clusterSize = clusterSize;
    this.onAdd = onAdd;
  }

  /** Queues a broadcast about {@code node}, replacing any older one about it. */
  void add(String node, SwimMessage message) {
    Entry old = byNode.remove(node);
    if (old != null) {
      queue.remove(old);
    }
    Entry e = new Entry(node, message, nextId++);
    byNode.put(node, e);
    queue.add(e);
    onAdd.run();
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  int size() {
    return queue.size();
  }

  /**
   * Takes broadcasts totalling at most {@code budget} bytes (with per-message overhead), counts
   * one transmission for each and drops those that reached the limit.
   */
  List<SwimMessage> take(int budget) {
    if (queue.isEmpty() || budget <= PER_MESSAGE_OVERHEAD) {
      return List.of();
    }
    int limit = config.transmitLimit(clusterSize.getAsInt());
    List<Entry> taken = new ArrayList<>();
    int left = budget;
    int skipped = 0;
    // Stop once the packet is nearly full or a run of broadcasts did not fit: scanning a long
    // backlog for a small one costs more than the few bytes it would fill.
    for (Iterator<Entry> it = queue.iterator(); it.hasNext() && left >= MIN_USEFUL && skipped < MAX_SKIPS; ) {
      Entry e = it.next();
      if (e.size <= left) {
        it.remove();
        taken.add(e);
        left -= e.size;
      } else {
        skipped++;
      }
    }
    List<SwimMessage> out = new ArrayList<>(taken.size());
    for (Entry e : taken) {
      out.add(e.message);
      e.transmits++;
      if (e.transmits < limit) {
        queue.add(e);
      } else {
        byNode.remove(e.node);
      }
    }
    return out;
  }
}
