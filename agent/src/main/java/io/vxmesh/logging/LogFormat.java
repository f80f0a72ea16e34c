package io.vxmesh.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.OutputStreamAppender;
import io.vxmesh.systemd.JournalLayout;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/** Applies {@code log.format} to logback.xml's console layout ({@link JournalLayout}). */
public final class LogFormat {
  private LogFormat() {}

  /** Sets {@code text} or {@code json} on every JournalLayout of the root logger's appenders; returns how many. */
  public static int apply(String format) {
    if (!(LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root)) {
      return 0;
    }
    int n = 0;
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> a
          && a.getEncoder() instanceof LayoutWrappingEncoder<ILoggingEvent> e
          && e.getLayout() instanceof JournalLayout l) {
        l.setFormat(format);
        n++;
      }
    }
    return n;
  }
}
