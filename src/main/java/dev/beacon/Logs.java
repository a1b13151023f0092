package dev.beacon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.spi.FilterReply;
import dev.beacon.config.BeaconConfig;
import dev.beacon.http.RequestLog;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * The log's shape: {@code log.format=text} (logback.xml) or {@code json} (logback-json.xml: logback's own
 * JsonEncoder, one object per line). In both, the MDC key {@value #REQUEST_ID} holds the id of the request a
 * line was written for: a turbo filter, which logback runs on the logging thread before each event is made,
 * copies it from the request's Vert.x context ({@link RequestLog#current()}), so it is right across
 * asynchronous steps and never left over from another request.
 */
public final class Logs {
  public static final String REQUEST_ID = "requestId";

  private Logs() {}

  /** Applies the configured format (before anything else is logged). */
  static void configure(BeaconConfig.Ops ops) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    if (ops.logFormat() == BeaconConfig.LogFormat.JSON) {
      context.reset();
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      try {
        configurator.doConfigure(Logs.class.getResource("/logback-json.xml"));
      } catch (JoranException e) {
        throw new IllegalStateException("logback-json.xml: " + e.getMessage(), e);
      }
    }
    context.addTurboFilter(new RequestIdFilter());
  }

  /** Puts the current request's id into the MDC for the event about to be logged, or removes a stale one. */
  static final class RequestIdFilter extends TurboFilter {
    @Override
    public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level, String format,
                              Object[] params, Throwable t) {
      String id = RequestLog.current();
      if (id != null) {
        MDC.put(REQUEST_ID, id);
      } else if (MDC.get(REQUEST_ID) != null) {
        MDC.remove(REQUEST_ID);
      }
      return FilterReply.NEUTRAL;
    }
  }
}
