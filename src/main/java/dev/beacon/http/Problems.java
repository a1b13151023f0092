package dev.beacon.http;

import dev.beacon.db.PgErrors;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The one failure handler: every error leaves Beacon as application/problem+json. */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  public static final String PROBLEM_JSON = "application/problem+json";

  private Problems() {}

  /** Installed as the router's failure handler and for its 404/405 answers. */
  public static void handle(RoutingContext ctx) {
    String clientFault = ctx.failure() == null ? null : ClientErrors.kind(ctx.failure());
    if (clientFault != null) {
      // The client went away or broke the framing: count it, answer if the connection still can, close it.
      ClientErrors.record(clientFault, ctx.failure());
      if (!ctx.response().headWritten() && !ctx.response().closed()) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        send(ctx.response(), Problem.malformed("The request's body was cut off or not validly framed"));
      }
      return;
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    send(ctx.response(), toProblem(ctx));
  }

  /**
   * The router's handler for a request it cannot route at all: a path or query with an invalid percent-escape
   * ({@code %zz}, or a link cut off after {@code %2}) fails while the routes are matched, before any handler runs.
   * Without it Vert.x Web logs the exception at ERROR, and Netty's message for a bad query holds the whole URI, a
   * debtor's token included; and the answer is a bare "Bad Request". This answers a 400 problem and logs nothing:
   * it is the client's mistake. It must not call {@code normalizedPath()} or read parameters: both throw again.
   */
  public static void unroutable(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    send(ctx.response(), Problem.malformed("The request's path or query string is not valid URL encoding"));
  }

  /** Writes the problem; with the request's id ({@link RequestLog}) as member {@code requestId}. */
  public static void send(HttpServerResponse response, Problem p) {
    p.headers().forEach(response::putHeader);
    var body = p.toJson();
    String id = response.headers().get(Headers.X_REQUEST_ID);
    if (id != null) {
      body.put("requestId", id);
    }
    response.setStatusCode(p.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body.toBuffer());
  }

  static Problem toProblem(RoutingContext ctx) {
    Throwable t = ctx.failure();
    if (t instanceof Problem p) {
      return p;
    }
    if (t instanceof DecodeException) {
      return Problem.malformed("The body is not valid JSON");
    }
    if (t instanceof IllegalArgumentException && fromQueryDecoder(t)) {
      return Problem.malformed("The query string is not valid URL encoding");
    }
    if (isDatabaseDown(t)) {
      LOG.warn("Database unavailable: {}", t.toString());
      return Problem.unavailable("The database is unavailable", 5);
    }
    int status = ctx.statusCode();
    return switch (status) {
      case 400 -> Problem.malformed("The request could not be parsed");
      case 401 -> Problem.unauthorized();
      case 403 -> Problem.forbidden("This key's role may not do that");
      case 404 -> Problem.notFound("No such resource");
      case 405 -> Problem.methodNotAllowed();
      case 413 -> Problem.tooLarge("The body is larger than this endpoint accepts");
      case 415 -> Problem.unsupportedMediaType("application/json");
      default -> internal(ctx, t);
    };
  }

  private static Problem internal(RoutingContext ctx, Throwable t) {
    String requestId = RequestLog.current();
    String id = requestId != null ? requestId : UUID.randomUUID().toString();
    LOG.error("Unhandled failure {} on {} {}: {}", id, ctx.request().method(),
        Untrusted.of(loggablePath(ctx.normalizedPath())), oneLine(t));
    return new Problem(500, "internal", "Internal error", "Something went wrong; reference " + id,
        List.of(), new JsonObject(), Map.of());
  }

  /** An exception in one log line: its type, escaped message and first frames (a stack trace spans many lines). */
  static String oneLine(Throwable t) {
    if (t == null) {
      return "no exception";
    }
    StringBuilder b = new StringBuilder(Untrusted.of(t, 300));
    StackTraceElement[] frames = t.getStackTrace();
    for (int i = 0; i < Math.min(6, frames.length); i++) {
      b.append(i == 0 ? " at " : " < ").append(frames[i]);
    }
    if (t.getCause() != null && t.getCause() != t) {
      b.append("; caused by ").append(Untrusted.of(t.getCause(), 300));
    }
    return b.toString();
  }

  /**
   * A path fit for the log: every segment of 16 characters or more (a debtor's token, an id, a signature) is
   * replaced by {@code {…}}, so a token never reaches the log however the request failed; so is the code of an
   * SMS short link ({@code /s/{code}}, 12 characters), which leads to the debtor's pages as a token does.
   */
  static String loggablePath(String path) {
    if (path == null) {
      return "";
    }
    String[] segments = path.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (segments[i].length() >= 16 || (i == 2 && segments[1].equals("s"))) {
        segments[i] = "{…}";
      }
    }
    return String.join("/", segments);
  }

  private static boolean fromQueryDecoder(Throwable t) {
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().endsWith("QueryStringDecoder")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The database is down or unreachable: the pool could not connect, or its connection closed under a query
   * ({@link ClosedConnectionException}), or the server said so by SQLSTATE (class 08 connection exception, 57P
   * operator intervention such as a shutdown, 53300 too many connections). Decided by type and SQLSTATE only:
   * a client's own disconnect is never read as this.
   */
  static boolean isDatabaseDown(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException || c instanceof ClosedConnectionException) {
        return true;
      }
      if (c instanceof PgException pg && PgErrors.meansDatabaseDown(pg.getSqlState())) {
        return true;
      }
    }
    return false;
  }
}
