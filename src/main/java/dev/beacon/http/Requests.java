package dev.beacon.http;

import dev.beacon.config.BeaconConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Small request helpers shared by features: the media type, ids, query parameters, JSON answers, Beacon's public
 * URL.
 */
public final class Requests {
  public static final String JSON = "application/json";
  /** Newline-delimited JSON, under both names clients send. */
  public static final Set<String> NDJSON = Set.of("application/x-ndjson", "application/ndjson");
  public static final String FORM = "application/x-www-form-urlencoded";
  public static final String MULTIPART = "multipart/form-data";
  public static final String CSV = "text/csv";
  public static final String TEXT = "text/plain";

  private Requests() {}

  /**
   * The request's media type: its Content-Type without parameters, trimmed, lower case; empty when absent. Compare
   * it with {@code equals}: {@code application/jsonx} is not {@code application/json}.
   */
  public static String mediaType(RoutingContext ctx) {
    return mediaType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
  }

  /** The media type of a Content-Type value (see {@link #mediaType(RoutingContext)}). */
  static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.trim().toLowerCase(Locale.ROOT);
  }

  /** A path or query parameter that must be a UUID; 400 naming it otherwise. */
  public static UUID uuid(RoutingContext ctx, String name) {
    String raw = ctx.pathParam(name);
    if (raw == null) {
      raw = ctx.request().getParam(name);
    }
    if (raw == null || raw.isEmpty()) {
      throw Problem.invalid(name, "is required");
    }
    try {
      if (raw.length() != 36) {
        throw new IllegalArgumentException();
      }
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw Problem.invalid(name, "must be a UUID");
    }
  }

  /** An optional integer query parameter within bounds. */
  public static Integer intParam(RoutingContext ctx, String name, int min, int max) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      int n = Integer.parseInt(raw);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // falls through
    }
    throw Problem.invalid(name, "must be an integer from " + min + " to " + max);
  }

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body.toBuffer());
  }

  /** Beacon's public base URL: configured, else the scheme and host this request came to. */
  public static String baseUrl(RoutingContext ctx, BeaconConfig config) {
    if (!config.http().publicUrl().isEmpty()) {
      return config.http().publicUrl();
    }
    ClientAddress via = ClientAddress.of(config);
    return via.scheme(ctx.request()) + "://" + via.host(ctx.request(), "localhost:" + config.http().port());
  }
}
