package io.vxmesh.lab.hosts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command to completion with a deadline and returns its exit status and output. A
 * command that overruns its deadline is killed (with its descendants) and reported as such; a
 * command that cannot be started at all throws, so a missing tool never reads as an empty answer.
 */
final class Sh {
  private Sh() {}

  /** What a finished command left behind. */
  record Result(List<String> command, int exit, String out, String err) {
    boolean ok() {
      return exit == 0;
    }

    /** This result, or an exception naming the command, its status and both outputs. */
    Result check() {
      if (exit != 0) {
        throw new IllegalStateException(describe());
      }
      return this;
    }

    String describe() {
      return String.join(" ", command) + " -> exit " + exit + "\n--- stdout\n" + out.strip() + "\n--- stderr\n" + err.strip();
    }
  }

  static Result run(Duration timeout, List<String> command) {
    return run(timeout, null, command);
  }

  /** Runs {@code command}, feeding {@code stdin} (may be null) to it. */
  static Result run(Duration timeout, String stdin, List<String> command) {
    Process p;
    try {
      p = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try {
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        // the command exited without reading its input; its status says why
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        throw new IllegalStateException(String.join(" ", command) + ": no exit within " + timeout.toSeconds() + " s (killed)"
            + "\n--- stdout so far\n" + out.getNow("") + "\n--- stderr so far\n" + err.getNow(""));
      }
      return new Result(command, p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot read the output of " + String.join(" ", command), e);
    }
  }

  /** Reads a stream to its end on a thread of its own (the common pool has one thread on 2 cores). */
  private static CompletableFuture<String> drain(InputStream in) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (in) {
        f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        f.complete("");
      }
    }, "sh-drain");
    t.setDaemon(true);
    t.start();
    return f;
  }
}
