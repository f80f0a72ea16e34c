package io.vxmesh.lab.testbed;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a command to completion with a timeout. Output goes to temporary files rather than
 * pipes so that no reader threads are needed and a chatty command can never block on a full
 * pipe; a command that outlives its timeout is killed with SIGKILL.
 */
public final class Exec {
  private static final Logger log = LoggerFactory.getLogger(Exec.class);

  private Exec() {}

  public static ExecResult run(Duration timeout, List<String> command) {
    return run(timeout, command, null);
  }

  /** Runs {@code command}, feeding {@code stdin} (may be null) to it. */
  public static ExecResult run(Duration timeout, List<String> command, String stdin) {
    long start = System.nanoTime();
    Path out = null;
    Path err = null;
    Path in = null;
    Process p = null;
    try {
      out = Files.createTempFile("vxmesh-exec", ".out");
      err = Files.createTempFile("vxmesh-exec", ".err");
      ProcessBuilder pb = new ProcessBuilder(command)
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      if (stdin != null) {
        in = Files.createTempFile("vxmesh-exec", ".in");
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
        pb.redirectInput(in.toFile());
      } else {
        pb.redirectInput(new File("/dev/null"));
      }
      p = pb.start();
      boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      ExecResult r = new ExecResult(command, finished ? p.exitValue() : -1,
          Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
          !finished, elapsed);
      log.debug("exec command=\"{}\" exit={} ms={}", String.join(" ", command), r.exitCode(), elapsed.toMillis());
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run `" + String.join(" ", command) + "`: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running `" + String.join(" ", command) + "`", e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
      deleteQuietly(in);
    }
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        log.debug("exec cannot delete temp file={} reason={}", p, e.getMessage());
      }
    }
  }
}
