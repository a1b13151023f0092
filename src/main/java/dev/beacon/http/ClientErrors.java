package dev.beacon.http;

import dev.beacon.metrics.Meters;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.channels.ClosedChannelException;

/**
 * What a client does wrong at the connection level (goes away mid-body, sends broken framing, is too slow) is the
 * client's fault: counted in {@code beacon_http_client_errors_total{kind}}, logged at DEBUG in one line, never a
 * database alarm or an ERROR with a stack trace. Recognised by exception type, never by message text.
 */
public final class ClientErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ClientErrors.class);
  static final String METER = "beacon_http_client_errors";
  public static final String DISCONNECT = "disconnect";
  public static final String FRAMING = "malformed_framing";
  public static final String SLOW = "slow_client";

  private ClientErrors() {}

  /** The kind of client fault {@code t} is, or null when it is not one. */
  public static String kind(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof HttpClosedException || c instanceof ClosedChannelException
          || c instanceof PrematureChannelClosureException) {
        return DISCONNECT;
      }
      if (c instanceof DecoderException || c instanceof TooLongFrameException || thrownByTheHttpDecoder(c)) {
        return FRAMING;
      }
    }
    return null;
  }

  /** Netty's HTTP decoder reports a bad chunk size as a plain NumberFormatException: known by where it arose. */
  private static boolean thrownByTheHttpDecoder(Throwable t) {
    StackTraceElement[] frames = t.getStackTrace();
    return frames.length > 0 && frames[0].getClassName().startsWith("io.netty.handler.codec.http.");
  }

  /** For a connection-level exception the server reports with no request to fail: a disconnect unless known. */
  static String kindOrDisconnect(Throwable t) {
    String k = kind(t);
    return k == null ? DISCONNECT : k;
  }

  /**
   * The server's handler for a request Netty could not decode (a bad request line or header): a 400 problem and
   * close, counted; Vert.x's default answers a bare status.
   */
  static void invalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult() == null ? null : req.decoderResult().cause();
    record(FRAMING, cause);
    var response = req.response();
    if (!response.headWritten() && !response.closed()) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
      response.endHandler(v -> req.connection().close());
      Problems.send(response, Problem.malformed("The request could not be decoded"));
    } else {
      req.connection().close();
    }
  }

  /** Counts and logs one client fault of this kind. */
  public static void record(String kind, Throwable t) {
    Meters.counter(METER, "kind", kind, "Requests ended by the client's own fault (disconnect, framing, slowness)")
        .increment();
    if (LOG.isDebugEnabled()) {
      LOG.debug("Client error ({}): {}", kind, t == null ? "-" : Untrusted.of(t.getClass().getSimpleName() + ": "
          + t.getMessage()));
    }
  }
}
