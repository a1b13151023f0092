package dev.beacon.http;

import dev.beacon.config.BeaconConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;

/** Small request helpers shared by features: ids, query parameters, JSON answers, Beacon's public URL. */
public final class Requests {
  public static final String JSON = "application/json";

  private Requests() {}

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
        .putHeader("Content-Type", JSON)
        .putHeader("Cache-Control", "no-store")
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
