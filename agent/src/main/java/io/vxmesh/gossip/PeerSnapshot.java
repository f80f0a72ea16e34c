package io.vxmesh.gossip;

import io.vxmesh.net.HostPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gossip addresses of the members this host last saw alive, kept across restarts (serf's
 * snapshot, consul's rejoin), so that a restarted agent joins its mesh again even when its own
 * configuration names no seed — the first host of a mesh usually has {@code join = []}.
 *
 * <p>Why it matters for the datapath: nothing is removed from the kernel before the first
 * complete membership view, and a view is complete once this host synced with a seed (or the
 * join timeout passed). Without seeds the view is complete at once and empty, so a seed-less host
 * used to remove every peer's route on restart and put them back a second later, when the peers'
 * probes found it again: ~0.8 s of pod traffic lost on a "hitless" {@code systemctl restart}.
 * With the snapshot as extra seeds it syncs with a peer first and removes nothing.
 *
 * <p>One {@code host:port} per line in {@code $STATE_DIRECTORY/peers}, at most {@link #MAX},
 * written atomically whenever the set of live peers changes, never emptied (after a partition a
 * restart should still try the peers it knew). Thread-safe.
 */
public final class PeerSnapshot {
  private static final Logger log = LoggerFactory.getLogger(PeerSnapshot.class);
  static final String FILE = "peers";
  static final int MAX = 64;
  /** Our claim votes ({@link Announced#upheld()}), so a restarted witness keeps vouching (docs/claims.md). */
  static final String VOTES = "upheld";

  private final Path file;
  private List<HostPort> saved = List.of();
  private List<String> savedVotes = List.of();

  private PeerSnapshot(Path file) {
    this.file = file;
  }

  /**
   * The votes saved by the last run (at most {@link #MAX}); the agent announces them at start and
   * the tracker holds those members again when they show up with the same claims.
   */
  public synchronized List<String> loadVotes() {
    if (file == null) {
      return List.of();
    }
    try {
      savedVotes = Files.readAllLines(file.resolveSibling(VOTES), StandardCharsets.UTF_8).stream()
          .filter(l -> !l.isBlank() && !l.startsWith("#")).limit(MAX).toList();
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      log.warn("vote snapshot unreadable file={} error={}", file.resolveSibling(VOTES), e.toString());
      return List.of();
    }
    return savedVotes;
  }

  /** A snapshot in {@code dir}; with a null dir (no state directory) it remembers nothing. */
  public static PeerSnapshot in(Path dir) {
    return new PeerSnapshot(dir == null ? null : dir.resolve(FILE));
  }

  /** The saved addresses; unreadable files and malformed lines are skipped with a warning. */
  public synchronized List<HostPort> load() {
    if (file == null) {
      return List.of();
    }
    List<HostPort> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String hp = line.strip();
        if (hp.isEmpty() || hp.startsWith("#")) {
          continue;
        }
        try {
          out.add(HostPort.parse(hp));
        } catch (IllegalArgumentException e) {
          log.warn("peer snapshot line skipped file={} line='{}' error={}", file, hp, e.getMessage());
        }
        if (out.size() == MAX) {
          break;
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      log.warn("peer snapshot unreadable file={} error={}", file, e.toString());
      return List.of();
    }
    saved = List.copyOf(out);
    return saved;
  }

  /** Records the live peers of {@code view} when they differ from what was saved last. */
  public synchronized void save(MembershipView view) {
    TreeSet<HostPort> live = new TreeSet<>(Comparator.comparing(HostPort::toString));
    for (MemberState m : view.members()) {
      if (!m.self() && m.status().programmable() && m.address() != null) {
        live.add(m.address());
      }
    }
    List<HostPort> now = live.stream().limit(MAX).toList();
    if (file != null && !now.isEmpty() && !now.equals(saved)
        && write(file, "# vxmesh: members last seen alive, rejoined on restart", now.stream().map(HostPort::toString).toList())) {
      saved = now;
    }
    List<String> votes = view.members().stream().filter(m -> m.self() && m.announcement() != null)
        .flatMap(m -> m.announcement().upheld().stream()).limit(MAX).toList();
    if (file != null && !votes.equals(savedVotes)
        && write(file.resolveSibling(VOTES), "# vxmesh: claims this host upholds (docs/claims.md)", votes)) {
      savedVotes = votes;
    }
  }

  private static boolean write(Path target, String header, List<String> lines) {
    try {
      Files.createDirectories(target.getParent());
      Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
      Files.writeString(tmp, header + "\n" + lines.stream().map(l -> l + "\n").reduce("", String::concat),
          StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException e) {
      log.warn("snapshot not saved file={} error={}", target, e.toString());
      return false;
    }
  }
}
