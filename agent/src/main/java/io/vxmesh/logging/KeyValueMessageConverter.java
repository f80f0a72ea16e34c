package io.vxmesh.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** {@code %kvmsg} in logback.xml: the message with {@code key=} values quoted when needed ({@link KeyValues#text}). */
public class KeyValueMessageConverter extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return KeyValues.text(event);
  }
}
