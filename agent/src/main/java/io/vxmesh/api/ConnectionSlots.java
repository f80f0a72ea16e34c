package io.vxmesh.api;

import java.util.HashMap;
import java.util.Map;

/**
 * Who may hold how many API connections. A member of the {@code vxmesh} group holding every
 * connection (one request every 20 s keeps each open) locked out every other client, root
 * included (issue 12). So:
 * <ul>
 *   <li>non-root callers share {@link #nonRootTotal} connections, at most {@link #perUid} per
 *       uid: one user cannot take the others' share;
 *   <li>root (uid 0) may use any free slot of {@link #total}, which is larger than the non-root
 *       share, so at least {@code total - nonRootTotal} connections are always left for root.
 * </ul>
 * Thread-safe; {@link #admit} and {@link #release} pair up per connection.
 */
final class ConnectionSlots {
  private final int total;
  private final int nonRootTotal;
  private final int perUid;
  private final Map<Integer, Integer> byUid = new HashMap<>();
  private int open;
  private int nonRoot;

  ConnectionSlots(int total, int nonRootTotal, int perUid) {
    if (perUid < 1 || nonRootTotal < perUid || total <= nonRootTotal) {
      throw new IllegalArgumentException("need 1 <= perUid <= nonRootTotal < total");
    }
    this.total = total;
    this.nonRootTotal = nonRootTotal;
    this.perUid = perUid;
  }

  /** Takes a slot for {@code uid} and returns null, or returns why not (and takes nothing). */
  synchronized String admit(int uid) {
    if (open >= total) {
      return "the agent serves " + open + " API connections, its limit";
    }
    if (uid != 0) {
      int mine = byUid.getOrDefault(uid, 0);
      if (mine >= perUid) {
        return "too many API connections from uid " + uid + " (" + mine + " open, limit " + perUid + " per user)";
      }
      if (nonRoot >= nonRootTotal) {
        return "all " + nonRootTotal + " API connections for non-root users are in use (root still gets in)";
      }
      byUid.merge(uid, 1, Integer::sum);
      nonRoot++;
    }
    open++;
    return null;
  }

  /** Frees the slot {@link #admit} gave {@code uid}. */
  synchronized void release(int uid) {
    if (uid != 0) {
      byUid.computeIfPresent(uid, (k, n) -> n <= 1 ? null : n - 1);
      nonRoot--;
    }
    open--;
  }

  synchronized int open() {
    return open;
  }

  /** Connections {@code uid} holds now. */
  synchronized int openBy(int uid) {
    return uid == 0 ? open - nonRoot : byUid.getOrDefault(uid, 0);
  }
}
