package io.vxmesh.testing;

import io.vxmesh.gossip.ClusterKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes cluster key files the way an operator must ({@code (umask 077; vxmesh keygen > F)}):
 * mode 0600, owned by whoever runs the test. The agent refuses a key file others may read, and a
 * plain {@code Files.writeString} makes 0644 under the usual umask.
 */
public final class KeyFiles {
  private KeyFiles() {}

  /** {@code text} in {@code file}, mode 0600 (replacing any file there). */
  public static Path write(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(file, text, StandardCharsets.US_ASCII);
  }

  /** A fresh key in {@code file}, mode 0600. */
  public static Path write(Path file, ClusterKey key) throws IOException {
    return write(file, key.toBase64() + "\n");
  }
}
