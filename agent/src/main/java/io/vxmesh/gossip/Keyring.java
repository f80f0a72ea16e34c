package io.vxmesh.gossip;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The cluster keys one agent holds, as {@code consul keyring} has them: the first (primary) key
 * signs everything this agent sends; every key is accepted when verifying what peers send. A
 * mesh rotates its key without splitting: add the new key as accepted everywhere, make it
 * primary everywhere, then remove the old one (README, "Rotating the cluster key").
 *
 * <p>At most {@link #MAX_KEYS} keys, so an unauthenticated packet costs at most that many
 * HMACs. Verification tries the primary first: in a settled mesh the first try succeeds.
 * Immutable; an agent swaps the whole keyring on reload.
 */
public final class Keyring {
  /** Enough for old + new + one spare; bounds the HMACs spent on a forged packet. */
  public static final int MAX_KEYS = 4;

  private final List<ClusterKey> keys;

  private Keyring(List<ClusterKey> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no key (a keyring needs at least one)");
    }
    if (keys.size() > MAX_KEYS) {
      throw new IllegalArgumentException(keys.size() + " keys, at most " + MAX_KEYS + " are accepted");
    }
    Set<ClusterKey> seen = new HashSet<>();
    for (ClusterKey k : keys) {
      if (!seen.add(k)) {
        throw new IllegalArgumentException("key " + k.fingerprint() + " is listed twice");
      }
    }
    this.keys = List.copyOf(keys);
  }

  /** {@code primary} signs; {@code accepted} are also accepted. */
  public static Keyring of(ClusterKey primary, ClusterKey... accepted) {
    List<ClusterKey> all = new ArrayList<>();
    all.add(primary);
    all.addAll(List.of(accepted));
    return new Keyring(all);
  }

  /** The first key signs; all verify. */
  public static Keyring of(List<ClusterKey> keys) {
    return new Keyring(keys);
  }

  /**
   * Parses a key file: one base64 key per line, the first signs; blank lines and lines starting
   * with {@code #} are ignored, so an operator can note which key is which. The
   * IllegalArgumentException message names the line when there are several and the reason
   * ("line 2: not base64").
   */
  public static Keyring parse(String text) {
    String[] lines = text.split("\n", -1);
    List<Integer> keyLines = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (!line.isEmpty() && !line.startsWith("#")) {
        keyLines.add(i);
      }
    }
    List<ClusterKey> keys = new ArrayList<>();
    for (int i : keyLines) {
      try {
        keys.add(ClusterKey.parse(lines[i]));
      } catch (IllegalArgumentException e) {
        // The usual one-key file keeps the short message ("not base64"); with several, say which.
        throw new IllegalArgumentException(keyLines.size() == 1 ? e.getMessage() : "line " + (i + 1) + ": " + e.getMessage());
      }
    }
    return new Keyring(keys);
  }

  /** The key that signs. */
  public ClusterKey primary() {
    return keys.get(0);
  }

  /** Every accepted key, the primary first. */
  public List<ClusterKey> keys() {
    return keys;
  }

  /** Fingerprints in order, the primary first (for logs and {@code vxmesh keyring list}). */
  public List<String> fingerprints() {
    return keys.stream().map(ClusterKey::fingerprint).toList();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Keyring k && keys.equals(k.keys);
  }

  @Override
  public int hashCode() {
    return keys.hashCode();
  }

  @Override
  public String toString() {
    return "Keyring" + fingerprints();
  }
}
