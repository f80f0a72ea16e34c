package io.vxmesh.gossip;

import java.util.List;

/**
 * The keys an agent holds and who uses them, for {@code vxmesh keyring list}.
 *
 * @param keys every accepted key, the primary (signing) one first
 * @param peers the other members SWIM lists now
 * @param unverified of those, how many have an announcement that verifies under none of our keys
 */
public record KeyringStatus(List<Key> keys, int peers, int unverified) {
  public KeyringStatus {
    keys = List.copyOf(keys);
  }

  /**
   * One key.
   *
   * @param fingerprint {@link ClusterKey#fingerprint()}
   * @param primary whether this agent signs with it
   * @param peers how many listed peers signed their current announcement with it
   */
  public record Key(String fingerprint, boolean primary, int peers) {}
}
