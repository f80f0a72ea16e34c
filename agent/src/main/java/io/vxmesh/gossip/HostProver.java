package io.vxmesh.gossip;

import io.vxmesh.net.HostPort;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which members' gossip addresses this node has proven, and which challenges are due
 * (docs/claims.md, "host proof"). A challenge is a random nonce sent over the authenticated
 * transport to the member's announced ip:port; whoever listens there answers with the nonce and
 * its own node name. SWIM cannot tell: an agent announcing a live host's address is "reachable"
 * because that host answers its probes — but that host answers our challenge with its own name.
 *
 * <ul>
 *   <li>a member is challenged when first seen at an address, again every {@link #RETRY_MS}
 *       until proven or refuted, and once more in the background whenever its announcement
 *       changes (a restart, a new claim), so a restarted agent is re-proven in one round trip;
 *   <li>a proof is kept for the member's name and address; an unanswered re-challenge never
 *       revokes it (failure detection is SWIM's job; a healthy peer's routes are never removed
 *       for a lost packet), only an answer with another name does;
 *   <li>{@link #settled} says whether every present member has been answered or tried once, so
 *       a restarting agent declares its view complete only after proving its peers (nothing is
 *       removed from the kernel before that).
 * </ul>
 * State only; the messaging is done by {@link AtomixMembership}. Owned by the view thread.
 */
final class HostProver {
  /** Retry interval for a member not proven yet. */
  static final long RETRY_MS = 500;
  /**
   * A challenge in flight this long counts as failed even if no timeout reported it: the
   * challenge is a datagram, and a proof that waits forever keeps a live member unproven (never
   * programmed) on this node.
   */
  static final long STALE_MS = 2_000;
  static final int NONCE_BYTES = 16;

  /** A challenge to send: payload to {@code address}, answer goes to {@link #answered}. */
  record Challenge(String name, HostPort address, byte[] nonce) {
    byte[] payload() {
      return nonce.clone();
    }
  }

  private static final class Entry {
    HostPort address;
    HostProof proof = HostProof.PENDING;
    String provenProperty; // the property value current when the last challenge was sent
    String property;
    byte[] nonce; // of the challenge in flight, else null
    long lastSentMs;
    boolean tried; // a challenge was answered or failed at least once at this address
    long lastListedMs;
  }

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Entry> entries = new HashMap<>();
  private final long keepMs;

  /**
   * @param keepMs how long the proof of a member no longer listed is kept: at least the restart
   *     grace, so an agent restarting at the same address is programmable throughout
   */
  HostProver(long keepMs) {
    this.keepMs = keepMs;
  }

  /** What we know about {@code name} at {@code address}. */
  HostProof proof(String name, HostPort address) {
    Entry e = entries.get(name);
    return e == null || !e.address.equals(address) ? HostProof.PENDING : e.proof;
  }

  /**
   * Records the members listed now (name, address, property) and returns the challenges to send;
   * forgets members not listed for longer than the keep time.
   */
  List<Challenge> due(Collection<MemberTracker.Observation> present, long now) {
    List<Challenge> out = new ArrayList<>();
    for (MemberTracker.Observation o : present) {
      Entry e = entries.get(o.name());
      if (e == null || !e.address.equals(o.address())) {
        e = new Entry();
        e.address = o.address();
        entries.put(o.name(), e);
      }
      e.property = o.property();
      e.lastListedMs = now;
      if (e.nonce != null && now - e.lastSentMs >= STALE_MS) {
        e.nonce = null;
        e.tried = true;
      }
      boolean unsettled = e.proof.state() != HostProof.State.PROVEN;
      boolean changed = !Objects.equals(e.provenProperty, e.property);
      if (e.nonce == null && (changed || (unsettled && now - e.lastSentMs >= RETRY_MS))) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        e.nonce = nonce;
        e.lastSentMs = now;
        e.provenProperty = e.property;
        out.add(new Challenge(o.name(), o.address(), nonce));
      }
    }
    entries.values().removeIf(e -> now - e.lastListedMs > keepMs);
    return out;
  }

  /** The answer to {@code c}: nonce followed by the answering node's name; false if it does not count. */
  boolean answered(Challenge c, byte[] answer) {
    Entry e = entries.get(c.name());
    if (e == null || e.nonce != c.nonce() || answer == null || answer.length < NONCE_BYTES
        || !Arrays.equals(Arrays.copyOf(answer, NONCE_BYTES), c.nonce())) {
      failed(c);
      return false;
    }
    String by = new String(answer, NONCE_BYTES, answer.length - NONCE_BYTES, StandardCharsets.UTF_8);
    e.nonce = null;
    e.tried = true;
    e.proof = by.equals(c.name()) ? HostProof.PROVEN : HostProof.refuted(by);
    return true;
  }

  /** No (valid) answer to {@code c}: an existing proof stands, the retry timer runs. */
  void failed(Challenge c) {
    Entry e = entries.get(c.name());
    if (e != null && e.nonce == c.nonce()) {
      e.nonce = null;
      e.tried = true;
    }
  }

  /** True when every member in {@code names} has been answered or tried once. */
  boolean settled(Collection<String> names) {
    for (String n : names) {
      Entry e = entries.get(n);
      if (e == null || !e.tried) {
        return false;
      }
    }
    return true;
  }

  /** The answer this node gives to a challenge: the nonce and its own name. */
  static byte[] answer(byte[] challenge, String selfName) {
    byte[] name = selfName.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(challenge == null ? 0 : challenge.length, NONCE_BYTES);
    byte[] out = new byte[NONCE_BYTES + name.length];
    if (n > 0) {
      System.arraycopy(challenge, 0, out, 0, n);
    }
    System.arraycopy(name, 0, out, NONCE_BYTES, name.length);
    return out;
  }
}
