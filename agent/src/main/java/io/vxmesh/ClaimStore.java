package io.vxmesh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers when this host first claimed its pod CIDRs, across restarts.
 *
 * <p>Conflicts are won by the earliest claim ({@code claimed_at_ms} in the announcement). Without
 * this file a restarted owner would re-claim "now" and could lose its own pod CIDR to a newcomer
 * that claimed it while the owner was away. The claim is kept as long as the set of claimed
 * CIDRs is unchanged; a different set starts a new claim. Lives in systemd's
 * {@code $STATE_DIRECTORY} (the unit's {@code StateDirectory=vxmesh}); without one, the claim is
 * the start time.
 */
final class ClaimStore {
  private static final Logger log = LoggerFactory.getLogger(ClaimStore.class);
  static final String FILE = "claim.properties";

  private ClaimStore() {}

  /**
   * The claim to announce for {@code claims} (a canonical text of the CIDRs): the stored one when
   * it is for the same CIDRs and not from the future, else a new one made now. Only reads;
   * {@link Claim#store()} persists a new claim. With a null {@code dir} the claim is now.
   */
  static Claim read(Path dir, String claims, Clock clock) {
    long now = clock.millis();
    if (dir == null) {
      return new Claim(now, claims, null);
    }
    Path file = dir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          p.load(r);
        }
        String at = p.getProperty("claimed_at_ms", "");
        if (claims.equals(p.getProperty("claims")) && at.matches("\\d{1,18}")) {
          long t = Long.parseLong(at);
          if (t <= now) {
            return new Claim(t, claims, null);
          }
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      log.warn("claim state not persisted dir={} error={}", dir, e.toString());
      return new Claim(now, claims, null);
    }
    return new Claim(now, claims, dir);
  }

  /**
   * A claim time for a set of CIDRs.
   *
   * @param storeIn where {@link #store()} persists it: the state directory for a new claim, null
   *     when it is already stored (or cannot be)
   */
  record Claim(long claimedAtMs, String claims, Path storeIn) {
    /** Persists a new claim (atomically); a failure is logged, the claim then lasts until restart. */
    void store() {
      if (storeIn == null) {
        return;
      }
      Properties p = new Properties();
      p.setProperty("claims", claims);
      p.setProperty("claimed_at_ms", Long.toString(claimedAtMs));
      try {
        Files.createDirectories(storeIn);
        Path tmp = storeIn.resolve(FILE + ".tmp");
        try (var w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
          p.store(w, "vxmesh: when this host first claimed these pod CIDRs (conflicts: earliest claim wins)");
        }
        Files.move(tmp, storeIn.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | IllegalArgumentException e) {
        log.warn("claim state not persisted dir={} error={}", storeIn, e.toString());
      }
    }
  }

  /** {@code $STATE_DIRECTORY} (first entry) when systemd set it, else null. */
  static Path stateDirectory() {
    String v = System.getenv("STATE_DIRECTORY");
    if (v == null || v.isBlank()) {
      return null;
    }
    return Path.of(v.split(":")[0]);
  }
}
