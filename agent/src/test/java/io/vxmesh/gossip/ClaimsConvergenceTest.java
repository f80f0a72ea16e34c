package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.HostPort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The claim rule across a simulated mesh of real {@link MemberTracker}s exchanging their signed
 * announcements (votes included) in memory, with arrival order chosen per node: every node
 * reaches the same verdicts, and a live owner keeps its claims against a backdated newcomer at
 * every step, also on nodes that join after both exist (docs/claims.md).
 */
class ClaimsConvergenceTest {
  private final AnnouncementCodec codec = new AnnouncementCodec(ClusterKey.generate());
  private final GossipSettings.GossipTimers timers = GossipSettings.GossipTimers.defaults();
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private long now = 1_000_000;

  /** One simulated agent: its tracker, what it publishes, and which members it has heard of. */
  private final class Node {
    final String name;
    Announced announcement;
    String published;
    final MemberTracker tracker;
    final List<String> heard = new ArrayList<>();
    List<MemberState> view = List.of();

    Node(Announced a) {
      name = a.nodeName();
      announcement = a;
      published = codec.seal(a);
      tracker = new MemberTracker(name, codec, new Validator(Fixtures.context(name)), timers);
    }

    HostPort address() {
      return new HostPort(announcement.hostIp(), 7947);
    }

    /** One view pass over the members heard of, then publish our votes like AtomixMembership does. */
    boolean step() {
      List<MemberTracker.Observation> others = new ArrayList<>();
      for (String h : heard) {
        Node o = nodes.get(h);
        others.add(new MemberTracker.Observation(h, o.address(), o.published, true));
      }
      view = tracker.update(new MemberTracker.Observation(name, address(), published, true), others, now);
      if (!tracker.upheld().equals(announcement.upheld())) {
        announcement = announcement.withUpheld(tracker.upheld());
        published = codec.seal(announcement);
        return true;
      }
      return false;
    }

    MemberStatus status(String of) {
      return view.stream().filter(m -> m.name().equals(of)).map(MemberState::status).findFirst().orElse(null);
    }

    Map<String, MemberStatus> verdicts() {
      Map<String, MemberStatus> out = new TreeMap<>();
      view.forEach(m -> out.put(m.name(), m.status()));
      return out;
    }
  }

  private Node add(Announced a) {
    Node n = new Node(a);
    nodes.put(n.name, n);
    return n;
  }

  private static Announced node(String name, int n, long claimedAt) {
    return Fixtures.announcement(name, "10.0.0." + n, n, claimedAt);
  }

  private static Announced podThief(String name, int n, int victim, long claimedAt) {
    return Fixtures.with(node(name, n, claimedAt), Fixtures.network(Fixtures.mac(n), "179.17.1." + n, "10.234." + victim + ".0/24"));
  }

  /** {@code to} hears of {@code who} (in this order); {@code who} hears of {@code to}. */
  private void introduce(Node to, String... who) {
    for (String w : who) {
      if (!w.equals(to.name) && !to.heard.contains(w)) {
        to.heard.add(w);
      }
      Node other = nodes.get(w);
      if (!other.heard.contains(to.name) && !w.equals(to.name)) {
        other.heard.add(to.name);
      }
    }
  }

  /** Runs view passes on every node until no vote changes; checks {@code invariant} after each pass. */
  private void settle(Runnable invariant) {
    for (int round = 0; round < 20; round++) {
      boolean changed = false;
      for (Node n : nodes.values()) {
        changed |= n.step();
        invariant.run();
      }
      now += 100;
      if (!changed) {
        for (Node n : nodes.values()) {
          n.step();
        }
        return;
      }
    }
    throw new AssertionError("votes never settled");
  }

  private void assertEveryNodeAgrees() {
    Map<String, MemberStatus> first = null;
    for (Node n : nodes.values()) {
      if (first == null) {
        first = n.verdicts();
      } else {
        assertEquals(first, n.verdicts(), "verdicts of " + n.name + " differ from the first node's");
      }
    }
  }

  private void meshOf(String... names) {
    for (String n : names) {
      introduce(nodes.get(n), names);
    }
  }

  /** Owner p (claimed at 5 s) and w1, w2, settled: everyone holds everyone. */
  private void ownerAndTwoWitnesses() {
    add(node("p", 1, 5_000));
    add(node("w1", 2, 6_000));
    add(node("w2", 3, 7_000));
    meshOf("p", "w1", "w2");
    settle(() -> { });
  }

  @Test
  void aBackdatedNewcomerNeverTakesALiveOwnersPodCidrOnAnyNodeAtAnyStep() {
    ownerAndTwoWitnesses();
    Node thief = add(podThief("t", 9, 1, 1_000));
    // The thief reaches the nodes one at a time, as gossip spreads.
    Runnable ownerKeepsIt = () -> {
      for (Node n : nodes.values()) {
        if (n.status("t") != null && n.status("p") != null) {
          assertEquals(MemberStatus.ALIVE, n.status("p"), "on " + n.name + ": " + n.view);
          assertFalse(n.status("t").programmable(), "on " + n.name + " the thief is " + n.status("t"));
        }
      }
    };
    for (String w : List.of("w2", "p", "w1")) {
      introduce(thief, w);
      settle(ownerKeepsIt);
    }
    assertEquals(MemberStatus.CONFLICT, nodes.get("w1").status("t"));
    assertTrue(nodes.get("w1").tracker.upheld().contains(Validator.vote(nodes.get("p").announcement)));
    // A node joining after both exist follows the witnesses, not the claim time.
    Node late = add(node("j", 4, 9_000));
    introduce(late, "t", "p", "w1", "w2");
    settle(ownerKeepsIt);
    assertEquals(MemberStatus.ALIVE, late.status("p"));
    assertEquals(MemberStatus.CONFLICT, late.status("t"));
    assertEveryNodeAgrees();
  }

  /**
   * Two backdated thieves, one taking the owner's VTEP IP and one its VTEP MAC, reach the owner
   * in the same pass, before any witness has voted. The owner then loses the MAC by claim time
   * in its raw verdict, and the IP thief collides with nobody that claimed anything: it looked
   * uncontested, so the owner (and the MAC thief, running honest code) held it and later voted
   * for it — the owner out-voted on its own VTEP IP (ClaimTheftAtomixTest, after the merge).
   * No node may ever vote for a member whose claims collide with another member's.
   */
  @Test
  void thievesTakingDifferentClaimsOfOneOwnerAreNeverUpheld() {
    ownerAndTwoWitnesses();
    Announced.Network owner = Fixtures.network(1);
    Node ipThief = add(Fixtures.with(node("t", 9, 1_000), Fixtures.network(Fixtures.mac(9), "179.17.1.1", "10.234.9.0/24")));
    Node macThief = add(Fixtures.with(node("u", 8, 1_000), Fixtures.network(owner.vtepMac(), "179.17.1.8", "10.234.8.0/24")));
    List<String> thieves = List.of(Validator.vote(ipThief.announcement), Validator.vote(macThief.announcement));
    Runnable nobodyUpholdsAThief = () -> {
      for (Node n : nodes.values()) {
        for (String vote : n.tracker.upheld()) {
          assertFalse(thieves.contains(vote), n.name + " upholds a thief: " + n.tracker.upheld());
        }
      }
    };
    introduce(nodes.get("p"), "t", "u");
    introduce(macThief, "t");
    settle(nobodyUpholdsAThief);
    meshOf("p", "w1", "w2", "t", "u");
    settle(nobodyUpholdsAThief);
    for (Node n : nodes.values()) {
      assertEquals(MemberStatus.ALIVE, n.status("p"), "on " + n.name + ": " + n.view);
      assertEquals(MemberStatus.CONFLICT, n.status("t"), "on " + n.name + ": " + n.view);
      assertEquals(MemberStatus.CONFLICT, n.status("u"), "on " + n.name + ": " + n.view);
    }
    assertEveryNodeAgrees();
  }

  @Test
  void theOwnerKeepsItsClaimThroughARestartWithinGrace() {
    ownerAndTwoWitnesses();
    Node p = nodes.get("p");
    // p announces RESTARTING and vanishes; the thief arrives while it is gone.
    p.announcement = p.announcement.withState(Announced.State.RESTARTING);
    p.published = codec.seal(p.announcement);
    settle(() -> { });
    for (Node w : List.of(nodes.get("w1"), nodes.get("w2"))) {
      w.heard.remove("p");
    }
    nodes.remove("p");
    Node thief = add(podThief("t", 9, 1, 1_000));
    introduce(thief, "w1", "w2");
    settle(() -> { });
    assertEquals(MemberStatus.SUSPECT, nodes.get("w1").status("p"));
    assertEquals(MemberStatus.CONFLICT, nodes.get("w1").status("t"));
    // p is back (a new process: no memory), same claims.
    Node back = add(node("p", 1, 5_000));
    meshOf("p", "w1", "w2", "t");
    settle(() -> assertFalse(nodes.get("w1").status("t").programmable()));
    assertEquals(MemberStatus.ALIVE, back.status("p"));
    assertEquals(MemberStatus.CONFLICT, back.status("t"));
    assertEveryNodeAgrees();
  }

  @Test
  void newcomersArrivingInDifferentOrdersResolveTheSameWayEverywhere() {
    add(node("w1", 2, 0));
    add(node("w2", 3, 0));
    add(node("w3", 4, 0));
    meshOf("w1", "w2", "w3");
    settle(() -> { });
    add(podThief("a", 10, 50, 2_000));
    add(podThief("b", 11, 50, 1_000));
    // w1 hears of a first, w2 of b first, w3 of both in the same pass.
    introduce(nodes.get("w1"), "a");
    introduce(nodes.get("w2"), "b");
    introduce(nodes.get("a"), "w3");
    introduce(nodes.get("w3"), "b");
    settle(() -> { });
    meshOf("w1", "w2", "w3", "a", "b");
    settle(() -> { });
    assertEveryNodeAgrees();
    // w1 upholds a, w2 upholds b, w3 saw b win by claim time and upholds it: b has more witnesses.
    assertEquals(MemberStatus.ALIVE, nodes.get("w1").status("b"));
    assertEquals(MemberStatus.CONFLICT, nodes.get("w1").status("a"));
  }

  @Test
  void aRestartedWitnessInAThreeHostMeshKeepsVouchingFromItsSavedVotes() {
    add(node("p", 1, 5_000));
    add(node("w1", 2, 6_000));
    meshOf("p", "w1");
    settle(() -> { });
    add(podThief("t", 9, 1, 1_000));
    meshOf("p", "w1", "t");
    settle(() -> { });
    List<String> saved = nodes.get("w1").announcement.upheld();
    assertEquals(List.of(Validator.vote(nodes.get("p").announcement)), saved);
    // w1 restarts: a new process announcing the votes it saved (PeerSnapshot), nothing else kept.
    nodes.remove("w1");
    Node w1 = add(node("w1", 2, 6_000).withUpheld(saved));
    w1.tracker.rememberVotes(saved, now + 20_000);
    w1.heard.addAll(List.of("t", "p"));
    settle(() -> {
      if (w1.status("t") != null && w1.status("p") != null) {
        assertEquals(MemberStatus.ALIVE, w1.status("p"), "the restarted witness gave up the owner: " + w1.view);
      }
    });
    assertEquals(MemberStatus.CONFLICT, w1.status("t"));
    assertEveryNodeAgrees();
  }
}
