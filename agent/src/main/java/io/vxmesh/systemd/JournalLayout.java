package io.vxmesh.systemd;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vxmesh.logging.JsonLines;

/**
 * logback's pattern layout that, for journald ({@code journal} true), starts every line of an
 * event with its sd-daemon(3) priority: {@code <3>} ERROR, {@code <4>} WARN, {@code <6>} INFO,
 * {@code <7>} DEBUG and TRACE. journald parses each line of a stream separately, so a stack
 * trace or a multi-line message gets the prefix on every line, not just the first; otherwise
 * its "at ..." lines would land at the default priority and {@code journalctl -p warning} would
 * show an exception without its trace. With {@code journal} false it is the plain pattern.
 * Configured in logback.xml; Main turns {@code journal} on when stdout is the journal. With
 * {@code format} json each event is one JSON line instead (one prefix, the trace escaped in it).
 */
public class JournalLayout extends PatternLayout {
  private boolean journal;
  private volatile boolean json;

  /** Set from logback.xml ({@code <journal>${vxmesh.log.journal:-false}</journal>}). */
  public void setJournal(boolean journal) {
    this.journal = journal;
  }

  public boolean isJournal() {
    return journal;
  }

  /**
   * {@code text} (the pattern) or {@code json} ({@link JsonLines}: one object per line, without
   * {@code time} under journald). Set from {@code log.format} when the agent starts.
   */
  public void setFormat(String format) {
    if (!format.equals("text") && !format.equals("json")) {
      throw new IllegalArgumentException("log format '" + format + "' is not one of text, json");
    }
    json = format.equals("json");
  }

  public String getFormat() {
    return json ? "json" : "text";
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    String text = json ? JsonLines.format(event, !journal) : super.doLayout(event);
    if (!journal) {
      return text;
    }
    String prefix = priority(event.getLevel());
    StringBuilder b = new StringBuilder(text.length() + 8);
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl + 1;
      b.append(prefix).append(text, start, end);
      start = end;
    }
    return b.toString();
  }

  /** The sd-daemon prefix of a logback level. */
  static String priority(Level level) {
    if (level.isGreaterOrEqual(Level.ERROR)) {
      return JournalStream.SD_ERR;
    }
    if (level.isGreaterOrEqual(Level.WARN)) {
      return JournalStream.SD_WARNING;
    }
    if (level.isGreaterOrEqual(Level.INFO)) {
      return JournalStream.SD_INFO;
    }
    return JournalStream.SD_DEBUG;
  }
}
