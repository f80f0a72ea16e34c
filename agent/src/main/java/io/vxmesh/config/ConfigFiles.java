package io.vxmesh.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reading the two files an operator hands the agent (the config and the cluster key) with limits
 * that hold before anything is parsed.
 *
 * <p>Size: a file is read with a bounded read ({@link #readBounded}: at most {@code max + 1}
 * bytes, whatever the file claims or is: a 60 MB file, {@code /dev/zero}, a FIFO). Loading it
 * whole first and checking afterwards is what made a 60 MB config end in exit 3 (heap) instead of
 * 78. {@link #MAX_CONFIG_BYTES} is 1 MiB: the shipped, fully commented file is ~7 KB, and even
 * a config with a hundred networks stays far below; {@link #MAX_KEY_BYTES} is 4 KiB for a
 * 45-character key.
 *
 * <p>Key file mode: the key lets anyone who reads it into the mesh and lets them program every
 * host's routes, so (as ssh does with private keys) a key file that others may read or write,
 * or that belongs to someone else, is refused, with the exact fix in the message.
 */
final class ConfigFiles {
  static final int MAX_CONFIG_BYTES = 1 << 20;
  static final int MAX_KEY_BYTES = 4096;

  private ConfigFiles() {}

  /** The file is longer than the limit; nothing beyond {@code limit + 1} bytes was read. */
  static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(Path file, int limit) {
      super(file + " is larger than " + describe(limit));
    }
  }

  /** The whole file when it has at most {@code max} bytes; reads at most {@code max + 1}. */
  static byte[] readBounded(Path file, int max) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes(max + 1);
      if (b.length > max) {
        throw new TooLargeException(file, max);
      }
      return b;
    }
  }

  /** "1 MiB", "4 KiB", "100 bytes": for messages. */
  static String describe(int bytes) {
    if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
      return (bytes >> 20) + " MiB";
    }
    if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
      return (bytes >> 10) + " KiB";
    }
    return bytes + " bytes";
  }

  /**
   * What is wrong with the owner or mode of {@code keyFile} (followed through symlinks), or null
   * when it is fine: owned by root or by {@code selfUid}, and no permission bits for others
   * ({@code mode & 0007 == 0}). Group bits are allowed ({@code root:vxmesh 0640}).
   */
  static String keyFileProblem(Path keyFile, int selfUid) throws IOException {
    Map<String, Object> a = Files.readAttributes(keyFile, "unix:uid,mode");
    int uid = (Integer) a.get("uid");
    int mode = (Integer) a.get("mode") & 07777;
    if (uid != 0 && uid != selfUid) {
      return "is owned by uid " + uid + ", not root" + (selfUid != 0 ? " or uid " + selfUid + " (this agent)" : "");
    }
    if ((mode & 0007) != 0) {
      return "is " + ((mode & 0004) != 0 ? "readable" : "") + ((mode & 0006) == 0006 ? " and " : "")
          + ((mode & 0002) != 0 ? "writable" : "") + ((mode & 0006) == 0 ? "accessible" : "") + " by others (mode "
          + String.format("%04o", mode) + ")";
    }
    return null;
  }

  /** The uid this process runs as (the owner of {@code /proc/self}); -1 when it cannot be read. */
  static int selfUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
