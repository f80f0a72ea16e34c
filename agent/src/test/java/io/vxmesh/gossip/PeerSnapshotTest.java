package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerSnapshotTest {
  @TempDir Path dir;

  private static MemberState member(String name, String address, MemberStatus status, boolean self) {
    return new MemberState(name, HostPort.parse(address), status, null, "", self);
  }

  private List<String> loaded() {
    return PeerSnapshot.in(dir).load().stream().map(HostPort::toString).toList();
  }

  private static MembershipView view(MemberState... members) {
    return new MembershipView(1, true, List.of(members));
  }

  @Test
  void remembersLivePeersAcrossInstancesButNotSelfOrFailedOnes() {
    PeerSnapshot.in(dir).save(view(
        member("h1", "10.0.0.1:7947", MemberStatus.ALIVE, true),
        member("h3", "10.0.0.3:7947", MemberStatus.SUSPECT, false),
        member("h2", "10.0.0.2:7947", MemberStatus.ALIVE, false),
        member("h4", "10.0.0.4:7947", MemberStatus.FAILED, false)));
    assertEquals(List.of("10.0.0.2:7947", "10.0.0.3:7947"), loaded());
  }

  @Test
  void aViewWithoutLivePeersKeepsTheLastSnapshot() {
    PeerSnapshot s = PeerSnapshot.in(dir);
    s.save(view(member("h2", "10.0.0.2:7947", MemberStatus.ALIVE, false)));
    s.save(view(member("h1", "10.0.0.1:7947", MemberStatus.ALIVE, true),
        member("h2", "10.0.0.2:7947", MemberStatus.FAILED, false)));
    assertEquals(List.of("10.0.0.2:7947"), loaded());
  }

  @Test
  void missingFileOrNoStateDirectoryMeansNoPeers() {
    assertEquals(List.of(), loaded());
    PeerSnapshot none = PeerSnapshot.in(null);
    none.save(view(member("h2", "10.0.0.2:7947", MemberStatus.ALIVE, false)));
    assertEquals(List.of(), none.load());
  }

  @Test
  void malformedLinesAreSkippedAndTheRestKept() throws Exception {
    Files.writeString(dir.resolve(PeerSnapshot.FILE), "# comment\n10.0.0.2:7947\nnot-an-address\n\n10.0.0.3:7947\n");
    assertEquals(List.of("10.0.0.2:7947", "10.0.0.3:7947"), loaded());
  }

  @Test
  void atMostMaxPeersAreKept() {
    List<MemberState> many = new ArrayList<>();
    for (int i = 0; i < PeerSnapshot.MAX + 10; i++) {
      many.add(member("n" + i, "10.1." + (i / 250) + "." + (i % 250 + 1) + ":7947", MemberStatus.ALIVE, false));
    }
    PeerSnapshot.in(dir).save(new MembershipView(1, true, many));
    assertEquals(PeerSnapshot.MAX, PeerSnapshot.in(dir).load().size());
    assertFalse(Files.exists(dir.resolve(PeerSnapshot.FILE + ".tmp")), "written atomically through a temp file");
    assertTrue(Files.exists(dir.resolve(PeerSnapshot.FILE)));
  }

  @Test
  void remembersOurClaimVotesAcrossInstancesAndForgetsThemWhenWeStopVoting() {
    Announced mine = Fixtures.announcement("h1", "10.0.0.1", 1, 0);
    String vote = Validator.vote(Fixtures.announcement("h2", "10.0.0.2", 2, 0));
    PeerSnapshot.in(dir).save(view(new MemberState("h1", HostPort.parse("10.0.0.1:7947"), MemberStatus.ALIVE,
        mine.withUpheld(List.of(vote)), "", true)));
    assertEquals(List.of(vote), PeerSnapshot.in(dir).loadVotes());
    PeerSnapshot s = PeerSnapshot.in(dir);
    s.loadVotes();
    s.save(view(new MemberState("h1", HostPort.parse("10.0.0.1:7947"), MemberStatus.ALIVE, mine, "", true)));
    assertEquals(List.of(), PeerSnapshot.in(dir).loadVotes());
  }
}
