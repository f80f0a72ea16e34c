package io.vxmesh;

import io.vxmesh.config.ConfigException;
import io.vxmesh.gossip.Keyring;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloading the cluster keys (SIGHUP, {@code systemctl reload vxmesh}) during key rotation:
 * read the key file, and hand a changed keyring to gossip. A missing, unreadable or malformed
 * file keeps the keys in use and logs one ERROR naming file and reason: a reload can never
 * leave the agent without a key, nor with a half-read keyring. Reloads run one at a time.
 */
final class KeyringReload {
  private static final Logger log = LoggerFactory.getLogger(KeyringReload.class);

  /** Reads the keyring (the agent's key file), or says why it cannot. */
  interface Source {
    Keyring read() throws ConfigException;
  }

  private final String nodeName;
  private final Source source;
  private final Consumer<Keyring> use;
  private Keyring current; // guarded by this

  /**
   * @param initial the keys gossip was started with
   * @param use hands a new keyring to gossip ({@link io.vxmesh.gossip.Membership#useKeyring})
   */
  KeyringReload(String nodeName, Source source, Keyring initial, Consumer<Keyring> use) {
    this.nodeName = nodeName;
    this.source = source;
    this.current = initial;
    this.use = use;
  }

  /** The keys in use now. */
  synchronized Keyring current() {
    return current;
  }

  /** Reads the source again; true when its keys are in use now (changed or not), false on error. */
  synchronized boolean reload() {
    Keyring next;
    try {
      next = source.read();
    } catch (ConfigException | RuntimeException e) {
      log.error("keyring reload failed, keeping the keys in use node={} primary={} accepted={} error={}", nodeName,
          current.primary().fingerprint(), current.fingerprints(), e.getMessage());
      return false;
    }
    if (next.equals(current)) {
      log.info("keyring reloaded, unchanged node={} primary={} accepted={}", nodeName, next.primary().fingerprint(),
          next.fingerprints());
      return true;
    }
    Keyring prev = current;
    use.accept(next);
    current = next;
    log.info("keyring reloaded node={} primary={} accepted={} previous_primary={} previous={}", nodeName,
        next.primary().fingerprint(), next.fingerprints(), prev.primary().fingerprint(), prev.fingerprints());
    return true;
  }
}
