package io.vxmesh.systemd;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Output connected to journald's stream socket ({@code StandardOutput=journal}). systemd sets
 * {@code $JOURNAL_STREAM} to "device:inode" of that socket; as sd-daemon(3) and systemd.exec(5)
 * advise, an output counts as the journal only when its file descriptor is that very socket, so
 * a command that inherited the variable but writes to a pipe or file is not mistaken for it.
 *
 * <p>journald reads the stream line by line and takes a leading {@code <N>} (a syslog priority,
 * sd-daemon(3)) as the priority of that line; a line without one gets the unit's default (info).
 */
public final class JournalStream {
  /** sd-daemon(3) priority prefixes. */
  public static final String SD_ERR = "<3>";
  public static final String SD_WARNING = "<4>";
  public static final String SD_INFO = "<6>";
  public static final String SD_DEBUG = "<7>";

  private JournalStream() {}

  /** True when file descriptor {@code fd} (1 stdout, 2 stderr) is the journal stream of {@code $JOURNAL_STREAM}. */
  public static boolean connected(int fd) {
    return connected(System.getenv("JOURNAL_STREAM"), Path.of("/proc/self/fd/" + fd));
  }

  /** True when {@code journalStream} ("dev:ino", decimal) names the file that {@code fd} leads to. */
  static boolean connected(String journalStream, Path fd) {
    if (journalStream == null) {
      return false;
    }
    String[] devIno = journalStream.strip().split(":");
    if (devIno.length != 2) {
      return false;
    }
    try {
      long dev = Long.parseUnsignedLong(devIno[0]);
      long ino = Long.parseUnsignedLong(devIno[1]);
      // stat(2) follows /proc/self/fd/N to the open file, socket or pipe itself.
      return dev == (Long) Files.getAttribute(fd, "unix:dev") && ino == (Long) Files.getAttribute(fd, "unix:ino");
    } catch (NumberFormatException | IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * A stderr whose every line starts with {@code <3>}: what the agent prints there (a config
   * error, a failed start, an uncaught exception's stack trace) is an error in the journal too,
   * so {@code journalctl -p err} shows it.
   */
  public static PrintStream errorStderr() {
    return new PrintStream(new LinePrefixer(new BufferedOutputStream(new FileOutputStream(FileDescriptor.err)), SD_ERR), true);
  }

  /** Puts {@code prefix} before every line written through it; flushes at the end of each write. */
  static final class LinePrefixer extends FilterOutputStream {
    private final byte[] prefix;
    private boolean atLineStart = true;

    LinePrefixer(OutputStream out, String prefix) {
      super(out);
      this.prefix = prefix.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      int start = off;
      int end = off + len;
      while (start < end) {
        if (atLineStart) {
          out.write(prefix);
          atLineStart = false;
        }
        int nl = start;
        while (nl < end && b[nl] != '\n') {
          nl++;
        }
        int stop = nl < end ? nl + 1 : end;
        out.write(b, start, stop - start);
        atLineStart = nl < end;
        start = stop;
      }
      out.flush();
    }
  }
}
