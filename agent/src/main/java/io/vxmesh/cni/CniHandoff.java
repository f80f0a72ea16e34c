package io.vxmesh.cni;

import io.vxmesh.config.CniConfig;
import io.vxmesh.config.NetworkConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent part: hands the pod network to CNI plugins by writing {@code subnet.env} and, when
 * configured, the conflist ({@link CniFiles}). Each file is written atomically (a temporary
 * file in the same directory, then rename), so a plugin never reads half a file; a file whose
 * content is already right is left alone. The content depends only on the configuration, so
 * it changes only with a restart; a check every {@link #CHECK} puts back a file someone
 * removed or edited (e.g. {@code /run} cleaned).
 *
 * <p>{@link #close()} stops the check and leaves the files, as flanneld leaves
 * {@code subnet.env}: pods made before a restart keep their configuration, and the runtime can
 * still run {@code DEL} for them while the agent is down.
 */
public final class CniHandoff implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CniHandoff.class);
  static final Duration CHECK = Duration.ofSeconds(10);

  private final Map<Path, String> files;
  private final ScheduledExecutorService timer;

  private CniHandoff(Map<Path, String> files) {
    this.files = files;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vxmesh-cni");
      t.setDaemon(true);
      return t;
    });
  }

  /** The files for {@code cni} and {@code net} (the first network), path → exact text. */
  public static Map<Path, String> files(CniConfig cni, NetworkConfig net) {
    Map<Path, String> m = new LinkedHashMap<>();
    cni.subnetEnv().ifPresent(p -> m.put(p, CniFiles.subnetEnv(cni, net)));
    cni.conflist().ifPresent(p -> m.put(p, CniFiles.conflist(cni, net)));
    return m;
  }

  /** Writes the files now (an exception names the file) and starts the periodic check. */
  public static CniHandoff open(CniConfig cni, NetworkConfig net) throws IOException {
    CniHandoff h = new CniHandoff(files(cni, net));
    try {
      for (Map.Entry<Path, String> e : h.files.entrySet()) {
        if (writeIfChanged(e.getKey(), e.getValue())) {
          log.info("cni file written path={} network={} subnet={} mtu={}", e.getKey(), cni.network(), net.podCidr(), net.mtu());
        }
      }
    } catch (IOException e) {
      h.close();
      throw e;
    }
    h.timer.scheduleWithFixedDelay(h::check, CHECK.toMillis(), CHECK.toMillis(), TimeUnit.MILLISECONDS);
    return h;
  }

  /** The periodic check: puts back a file that is missing or no longer holds its text. */
  void check() {
    files.forEach((path, text) -> {
      try {
        if (writeIfChanged(path, text)) {
          log.warn("cni file was missing or changed, rewritten path={}", path);
        }
      } catch (IOException | RuntimeException e) {
        log.warn("cni file cannot be written path={} error={}", path, e.toString());
      }
    });
  }

  /**
   * Writes {@code text} to {@code file} atomically unless it already holds exactly that; creates
   * missing parent directories. Returns true when it wrote.
   */
  static boolean writeIfChanged(Path file, String text) throws IOException {
    try {
      if (Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
        return false;
      }
    } catch (NoSuchFileException e) {
      // write it
    } catch (IOException e) {
      // unreadable or not UTF-8: replace it
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      // Nothing secret; 0644 whatever the umask (the unit's is 0027), as flanneld's file.
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return true;
  }

  /** Stops the check; the files stay (see the class comment). */
  @Override
  public void close() {
    timer.shutdownNow();
  }
}
