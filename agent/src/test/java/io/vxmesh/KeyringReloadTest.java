package io.vxmesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.config.ConfigException;
import io.vxmesh.gossip.ClusterKey;
import io.vxmesh.gossip.Keyring;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP's key reload: a changed file is handed to gossip; a bad or missing one keeps the keys. */
class KeyringReloadTest {
  @TempDir Path dir;
  final ClusterKey old = ClusterKey.generate();
  final ClusterKey fresh = ClusterKey.generate();
  final List<Keyring> handed = new ArrayList<>();

  KeyringReload reload(Path file) {
    KeyringReload.Source source = () -> {
      try {
        return Keyring.parse(Files.readString(file));
      } catch (NoSuchFileException e) {
        throw new ConfigException(file, "gossip.key_file", file + " does not exist");
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException(file, "gossip.key_file", e.getMessage());
      }
    };
    return new KeyringReload("n1", source, Keyring.of(old), handed::add);
  }

  @Test
  void eachRotationStepIsHandedToGossipInFileOrder() throws IOException {
    Path f = Files.writeString(dir.resolve("cluster.key"), old.toBase64() + "\n");
    KeyringReload r = reload(f);
    assertTrue(r.reload());
    assertEquals(List.of(), handed, "unchanged file: nothing to do");
    Files.writeString(f, old.toBase64() + "\n" + fresh.toBase64() + "\n");
    assertTrue(r.reload());
    Files.writeString(f, fresh.toBase64() + "\n" + old.toBase64() + "\n");
    assertTrue(r.reload());
    Files.writeString(f, fresh.toBase64() + "\n");
    assertTrue(r.reload());
    assertEquals(List.of(Keyring.of(old, fresh), Keyring.of(fresh, old), Keyring.of(fresh)), handed);
    assertEquals(Keyring.of(fresh), r.current());
  }

  @Test
  void aMissingEmptyOrMalformedFileKeepsTheKeysInUse() throws IOException {
    Path f = dir.resolve("cluster.key");
    KeyringReload r = reload(f);
    assertFalse(r.reload(), "missing");
    Files.writeString(f, "");
    assertFalse(r.reload(), "empty: a reload never leaves the agent with zero keys");
    Files.writeString(f, fresh.toBase64() + "\nnot a key\n");
    assertFalse(r.reload(), "second line bad: nothing of it is used, not even the good first line");
    StringBuilder tooMany = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      tooMany.append(ClusterKey.generate().toBase64()).append('\n');
    }
    Files.writeString(f, tooMany);
    assertFalse(r.reload(), "five keys");
    assertEquals(List.of(), handed);
    assertEquals(Keyring.of(old), r.current());
    Files.writeString(f, old.toBase64() + "\n" + fresh.toBase64() + "\n");
    assertTrue(r.reload(), "a fixed file applies at the next reload");
    assertEquals(List.of(Keyring.of(old, fresh)), handed);
  }
}
