package io.vxmesh.swim;

import java.util.function.Function;

/**
 * Values by the name each carries (a member's state, a queued broadcast): a map from name to
 * value without a key array or per-entry nodes. An open-addressed table of the values alone,
 * linear probing on the name's hash (Fibonacci-spread), deletion by backward shift (no
 * tombstones), grown past 2/3 full and shrunk below 1/8. A {@code HashMap} costs a 32-byte node
 * per entry besides its table: with every simulated member indexing every other one, that was
 * 3 GB at 10,000 members for the member views alone. Lookups also skip the node indirection.
 * No iteration (nothing may depend on a hash order). Not thread-safe.
 */
final class NameIndex<V> {
  private static final int MIN_CAPACITY = 16;
  private final Function<V, String> nameOf;
  private Object[] slots = new Object[MIN_CAPACITY];
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
    if (3 * (size + 1) > 2 * slots.length) {
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
      int home = home(nameOf.apply(cast(w)).hashCode());
      // w may move into the hole at i unless its home lies cyclically in (i, j].
      boolean stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!stays) {
        slots[i] = w;
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
      String k = nameOf.apply(cast(v));
      if (k == name || (k.hashCode() == h && k.equals(name))) {
        return i;
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
  }

  private void resize(int capacity) {
    Object[] old = slots;
    slots = new Object[capacity];
    shift = 32 - Integer.numberOfTrailingZeros(capacity);
    for (Object v : old) {
      if (v != null) {
        place(v, nameOf.apply(cast(v)).hashCode());
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
