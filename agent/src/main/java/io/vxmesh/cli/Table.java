package io.vxmesh.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Left-aligned columns separated by two spaces, as {@code consul members} prints them. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int width;

  Table(String... header) {
    this.width = header.length;
    rows.add(header);
  }

  Table row(Object... cells) {
    if (cells.length != width) {
      throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + width);
    }
    rows.add(Arrays.stream(cells).map(c -> c == null ? "" : String.valueOf(c)).toArray(String[]::new));
    return this;
  }

  int size() {
    return rows.size() - 1;
  }

  void print(PrintWriter out) {
    int[] w = new int[width];
    for (String[] r : rows) {
      for (int i = 0; i < width; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < width; i++) {
        sb.append(r[i]);
        if (i < width - 1) {
          sb.append(" ".repeat(w[i] - r[i].length() + 2));
        }
      }
      out.println(sb.toString().stripTrailing());
    }
  }
}
