package io.vxmesh.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vxmesh.logging.KeyValues;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Records what one logger logs while open; lines as {@code LEVEL message} (key=values quoted). */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public LogCapture(Class<?> of) {
    logger = (Logger) LoggerFactory.getLogger(of);
    appender.start();
    logger.addAppender(appender);
  }

  /** Every event so far, as {@code "WARN drift repaired device=... "}. */
  public synchronized List<String> lines() {
    return List.copyOf(appender.list).stream().map(e -> e.getLevel() + " " + KeyValues.text(e)).toList();
  }

  /** The lines that start with {@code prefix} ({@code "WARN "}, {@code "INFO peer "}). */
  public List<String> lines(String prefix) {
    return lines().stream().filter(l -> l.startsWith(prefix)).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}
