package io.vxmesh.swim;

import java.util.function.Function;

/**
 * Values by the name each carries (a member's state, a queued broadcast): a map from name to
 * value without per-entry nodes. An open-addressed table of the values and their names' hashes
 * (compared first, so a probe past another entry touches no object), linear probing on the
 * Fibonacci-spread hash, deletion by backward shift (no tombstones), grown past 3/4 full and
 * shrunk below 1/8. A {@code HashMap} costs a 32-byte node
 * per entry besides its table: with every simulated member indexing every other one, that was
 * 3 GB at 10,000 members for the member views alone. Lookups also skip the node indirection.
 * No iteration (nothing may depend on a hash order). Not thread-safe.
 */
final class NameIndex<V> {
  private static final int MIN_CAPACITY = 16;
  private final Function<V, String> nameOf;
  private Object[] slots = new Object[MIN_CAPACITY];
  private int[] hashes = new int[MIN_CAPACITY];
  private int shift = 32 - Integer.numberOfTrailingZeros(MIN_CAPACITY);
  private int size;

  NameIndex(Function<V, String> nameOf) {
    this.nameOf = nameOf;
  }

  int size() {
    return size;
  }

  V get(String name) {
    int i = find(name);
    return i < 0 ? null : value(i);
  }

  /** Puts {@code v} under its name; returns the value it replaced, if any. */
  V put(V v) {
    String name = nameOf.apply(v);
    int i = find(name);
    if (i >= 0) {
      V old = value(i);
      slots[i] = v;
      return old;
    }
    if (4 * (size + 1) > 3 * slots.length) {
      resize(slots.length * 2);
    }
    place(v, name.hashCode());
    size++;
    return null;
  }

  /** Removes and returns the value named {@code name}, or null. */
  V remove(String name) {
    int i = find(name);
    if (i < 0) {
      return null;
    }
    V old = value(i);
    int mask = slots.length - 1;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      Object w = slots[j];
      if (w == null) {
        break;
      }
      int home = home(hashes[j]);
      // w may move into the hole at i unless its home lies cyclically in (i, j].
      boolean stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!stays) {
        slots[i] = w;
        hashes[i] = hashes[j];
        i = j;
      }
    }
    slots[i] = null;
    size--;
    if (slots.length > MIN_CAPACITY && 8 * size < slots.length) {
      resize(slots.length / 2);
    }
    return old;
  }

  private int find(String name) {
    int h = name.hashCode();
    int mask = slots.length - 1;
    for (int i = home(h); ; i = (i + 1) & mask) {
      Object v = slots[i];
      if (v == null) {
        return -1;
      }
      if (hashes[i] == h) {
        String k = nameOf.apply(cast(v));
        if (k == name || k.equals(name)) {
          return i;
        }
      }
    }
  }

  private void place(Object v, int hash) {
    int mask = slots.length - 1;
    int i = home(hash);
    while (slots[i] != null) {
      i = (i + 1) & mask;
    }
    slots[i] = v;
    hashes[i] = hash;
  }

  private void resize(int capacity) {
    Object[] old = slots;
    int[] oldHashes = hashes;
    slots = new Object[capacity];
    hashes = new int[capacity];
    shift = 32 - Integer.numberOfTrailingZeros(capacity);
    for (int i = 0; i < old.length; i++) {
      if (old[i] != null) {
        place(old[i], oldHashes[i]);
      }
    }
  }

  private int home(int hash) {
    return (hash * 0x9E3779B9) >>> shift;
  }

  private V value(int i) {
    return cast(slots[i]);
  }

  @SuppressWarnings("unchecked")
  private static <V> V cast(Object o) {
    return (V) o;
  }
}
