package io.vxmesh.swim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NameIndexTest {
  private record Item(String name, int value) {}

  /** Random puts, replacements and removals (growing and shrinking the table) agree with a HashMap. */
  @Test
  void behavesLikeAMapUnderRandomOperations() {
    Random random = new Random(11);
    NameIndex<Item> index = new NameIndex<>(Item::name);
    Map<String, Item> expected = new HashMap<>();
    for (int round = 0; round < 200_000; round++) {
      // Phases of mostly-adds and mostly-removes, so the table grows to thousands and shrinks back.
      boolean adding = (round / 20_000) % 2 == 0;
      String name = "m" + String.format("%05d", random.nextInt(5_000));
      int op = random.nextInt(10);
      if (op < (adding ? 7 : 2)) {
        Item item = new Item(name, round);
        assertSame(expected.put(name, item), index.put(item), "put " + name);
      } else if (op < 9) {
        assertSame(expected.remove(name), index.remove(new String(name)), "remove " + name);
      } else {
        assertSame(expected.get(name), index.get(new String(name)), "get " + name);
      }
      assertEquals(expected.size(), index.size());
    }
    for (int i = 0; i < 5_000; i++) {
      String name = "m" + String.format("%05d", i);
      assertSame(expected.get(name), index.get(name), "final " + name);
    }
  }

  @Test
  void collidingHashesStayReachableAfterRemovals() {
    // "Aa" and "BB" have the same String hash, as do their concatenations.
    NameIndex<Item> index = new NameIndex<>(Item::name);
    String[] names = {"AaAa", "AaBB", "BBAa", "BBBB"};
    for (int i = 0; i < names.length; i++) {
      index.put(new Item(names[i], i));
    }
    assertEquals(0, index.remove("AaAa").value());
    assertEquals(2, index.remove("BBAa").value());
    assertEquals(1, index.get("AaBB").value());
    assertEquals(3, index.get("BBBB").value());
    assertNull(index.get("AaAa"));
    assertNull(index.remove("BBAa"));
  }
}
