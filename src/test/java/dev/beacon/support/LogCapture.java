package dev.beacon.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Captures every log event of the process (DEBUG and up, for dev.beacon; INFO and up for the rest) while open,
 * and renders each as the text a line-oriented log would print: message, then the exception's messages.
 */
public final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Logger beacon = (Logger) LoggerFactory.getLogger("dev.beacon");
  private final Level before;

  public LogCapture() {
    before = beacon.getLevel();
    beacon.setLevel(Level.DEBUG);
    appender.start();
    root.addAppender(appender);
  }

  /** Each captured event as "LEVEL logger - message | exception messages". */
  public List<String> events() {
    List<String> out = new ArrayList<>();
    synchronized (appender.list) {
      for (ILoggingEvent e : appender.list) {
        StringBuilder b = new StringBuilder().append(e.getLevel()).append(' ').append(e.getLoggerName()).append(" - ")
            .append(e.getFormattedMessage());
        for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
          b.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
          if (t.getStackTraceElementProxyArray().length > 0) {
            b.append("\n<stack trace>");
          }
        }
        out.add(b.toString());
      }
    }
    return out;
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    beacon.setLevel(before);
  }
}
