package io.vxmesh.swim;

import io.vxmesh.proto.swim.SwimMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  private static final class Entry {
    final String node;
    final SwimMessage message;
    final int size;
    /** Order of addition: an int (4 B less per entry and slot); renumbered before it would overflow. */
    int id;
    int transmits;
    /** The message's encoding, made at its first transmission and reused for the others. */
    private byte[] encoded;

    Entry(String node, SwimMessage message, int id) {
      this.node = node;
      this.message = message;
      this.size = message.getSerializedSize() + PER_MESSAGE_OVERHEAD;
      this.id = id;
    }

    byte[] encoded(ValueSharing sharing) {
      if (encoded == null) {
        encoded = sharing.encode(message);
      }
      return encoded;
    }
  }

  /**
   * The queue in transmission order, fewest transmissions first, newest (highest id) first among
   * equals: bucket t holds the entries sent t times, ascending by id, so it is read from its end.
   * (A TreeSet with that comparator was a fifth of the simulator's profile at 1,000 members:
   * every take re-sorted each taken entry through a tree of a few hundred nodes.)
   */
  private final List<Bucket> buckets = new ArrayList<>();
  private int size;
  private final NameIndex<Entry> byNode = new NameIndex<>(e -> e.node);
  private final IntSupplier clusterSize;
  private final SwimConfig config;
  private final Runnable onAdd;
  private int nextId;
  private ValueSharing sharing = ValueSharing.NONE;

  /** {@code onAdd} runs after every {@link #add} (the node arms its gossip timer). */
  BroadcastQueue(SwimConfig config, IntSupplier clusterSize, Runnable onAdd) {
    this.config = config;
    this.clusterSize = clusterSize;
    this.onAdd = onAdd;
  }

  /** Where encodings come from (see {@link SwimNode#shareValues}). */
  void shareValues(ValueSharing sharing) {
    this.sharing = sharing;
  }

  /** Queues a broadcast about {@code node}, replacing any older one about it. */
  void add(String node, SwimMessage message) {
    Entry old = byNode.remove(node);
    if (old != null) {
      bucket(old.transmits).remove(old);
      size--;
    }
    if (nextId == Integer.MAX_VALUE) {
      renumber();
    }
    Entry e = new Entry(node, message, nextId++);
    byNode.put(e);
    bucket(0).insert(e);
    size++;
    onAdd.run();
  }

  /** Gives the queued entries ids 0..size-1 in their present order (years of broadcasts in). */
  private void renumber() {
    List<Entry> all = new ArrayList<>(size);
    for (Bucket b : buckets) {
      all.addAll(Arrays.asList(b.entries).subList(0, b.n));
    }
    all.sort((x, y) -> Integer.compare(x.id, y.id));
    for (int i = 0; i < all.size(); i++) {
      all.get(i).id = i;
    }
    for (Bucket b : buckets) {
      for (int i = 0; i < b.n; i++) {
        b.ids[i] = b.entries[i].id;
      }
    }
    nextId = all.size();
  }

  /** For tests: continue numbering at {@code id}. */
  void nextIdForTest(int id) {
    nextId = id;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  private Bucket bucket(int transmits) {
    while (buckets.size() <= transmits) {
      buckets.add(new Bucket());
    }
    return buckets.get(transmits);
  }

  /**
   * Takes broadcasts totalling at most {@code budget} bytes (with per-message overhead), counts
   * one transmission for each and drops those that reached the limit.
   */
  List<SwimMessage> take(int budget) {
    List<Entry> taken = takeEntries(budget, Integer.MAX_VALUE);
    List<SwimMessage> out = new ArrayList<>(taken.size());
    for (Entry e : taken) {
      out.add(e.message);
    }
    return out;
  }

  /**
   * As {@link #take}, but each broadcast as its encoding, for {@link Packets#encode}: a
   * broadcast goes out up to {@link SwimConfig#transmitLimit} times and is encoded only once.
   */
  List<byte[]> takeEncoded(int budget) {
    return encoded(takeEntries(budget, Integer.MAX_VALUE));
  }

  /**
   * The broadcast sent fewest times, whatever its size (empty when none): for a broadcast larger
   * than any packet budget (an announcement carrying many votes), which would otherwise never go.
   */
  List<byte[]> takeEncodedOne() {
    return encoded(takeEntries(Integer.MAX_VALUE / 2, 1));
  }

  private List<byte[]> encoded(List<Entry> taken) {
    List<byte[]> out = new ArrayList<>(taken.size());
    for (Entry e : taken) {
      out.add(e.encoded(sharing));
    }
    return out;
  }

  private List<Entry> takeEntries(int budget, int maxCount) {
    if (size == 0 || budget <= PER_MESSAGE_OVERHEAD) {
      return List.of();
    }
    int limit = config.transmitLimit(clusterSize.getAsInt());
    List<Entry> taken = new ArrayList<>();
    int left = budget;
    int skipped = 0;
    // Stop once the packet is nearly full or a run of broadcasts did not fit: scanning a long
    // backlog for a small one costs more than the few bytes it would fill.
    for (int t = 0; t < buckets.size() && left >= MIN_USEFUL && skipped < MAX_SKIPS && taken.size() < maxCount; t++) {
      Bucket b = buckets.get(t);
      for (int i = b.n - 1; i >= 0 && left >= MIN_USEFUL && skipped < MAX_SKIPS && taken.size() < maxCount; i--) {
        Entry e = b.entries[i];
        if (e.size <= left) {
          b.removeAt(i);
          size--;
          taken.add(e);
          left -= e.size;
        } else {
          skipped++;
        }
      }
    }
    for (Entry e : taken) {
      e.transmits++;
      if (e.transmits < limit) {
        bucket(e.transmits).insert(e);
        size++;
      } else {
        byNode.remove(e.node);
      }
    }
    return taken;
  }

  /** Entries with one transmission count, ascending by id, ids kept beside them for searching. */
  private static final class Bucket {
    Entry[] entries = new Entry[16];
    int[] ids = new int[16];
    int n;

    void insert(Entry e) {
      if (n == entries.length) {
        entries = Arrays.copyOf(entries, 2 * n);
        ids = Arrays.copyOf(ids, 2 * n);
      }
      int at = n == 0 || ids[n - 1] < e.id ? n : -Arrays.binarySearch(ids, 0, n, e.id) - 1;
      System.arraycopy(entries, at, entries, at + 1, n - at);
      System.arraycopy(ids, at, ids, at + 1, n - at);
      entries[at] = e;
      ids[at] = e.id;
      n++;
    }

    void remove(Entry e) {
      int at = Arrays.binarySearch(ids, 0, n, e.id);
      if (at < 0 || entries[at] != e) {
        throw new IllegalStateException("broadcast queue lost an entry"); // a bug, not input
      }
      removeAt(at);
    }

    void removeAt(int at) {
      System.arraycopy(entries, at + 1, entries, at, n - at - 1);
      System.arraycopy(ids, at + 1, ids, at, n - at - 1);
      entries[--n] = null;
      // A join's push-pull queues the whole cluster at once and that batch passes through every
      // bucket in turn: without shrinking, each of the ~20 buckets kept an array the size of the
      // cluster (at 10,000 members in the simulator, 2 MB per node, 20 GB in all).
      if (entries.length > 64 && n < entries.length / 4) {
        entries = Arrays.copyOf(entries, entries.length / 2);
        ids = Arrays.copyOf(ids, ids.length / 2);
      }
    }
  }
}
