package dev.beacon.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.util.UUID;

/** The one failure handler: every error leaves Beacon as application/problem+json. */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  public static final String PROBLEM_JSON = "application/problem+json";

  private Problems() {}

  /** Installed as the router's failure handler and for its 404/405 answers. */
  public static void handle(RoutingContext ctx) {
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
    String id = response.headers().get(RequestLog.HEADER);
    if (id != null) {
      body.put("requestId", id);
    }
    response.setStatusCode(p.status())
        .putHeader(HttpHeaderNames.CONTENT_TYPE, PROBLEM_JSON)
        .putHeader(HttpHeaderNames.CACHE_CONTROL, "no-store")
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
    LOG.error("Unhandled failure {} on {} {}", id, ctx.request().method(), loggablePath(ctx.normalizedPath()), t);
    return new Problem(500, "internal", "Internal error", "Something went wrong; reference " + id,
        java.util.List.of(), new io.vertx.core.json.JsonObject(), java.util.Map.of());
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

  /** Connection-level failures (server down, pool closed, too many clients) are 503, not 500. */
  static boolean isDatabaseDown(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException || c instanceof io.vertx.core.VertxException && c.getMessage() != null
          && (c.getMessage().contains("closed") || c.getMessage().contains("Connection"))) {
        return true;
      }
      if (c instanceof PgException pg && pg.getSqlState() != null
          && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P") || pg.getSqlState().equals("53300"))) {
        return true;
      }
    }
    return false;
  }
}
