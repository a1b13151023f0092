package dev.beacon.http;

import dev.beacon.config.BeaconConfig.ApiKey;
import dev.beacon.config.BeaconConfig.Role;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.function.Predicate;

/** Bearer-key authentication with the roles of docs/api.md "Authentication". */
public final class Auth {
  public static final String KEY = "beacon.apiKey";
  private static final String BEARER = "Bearer ";

  private Auth() {}

  /**
   * For {@code /api/**}: agents may do everything; viewers may only read the dashboard, debtors and
   * the worklist.
   */
  public static Handler<RoutingContext> api(ApiKeys keys) {
    return ctx -> authenticate(ctx, keys, key -> switch (key.role()) {
      case AGENT -> true;
      case VIEWER -> isRead(ctx.request().method()) && isViewerPath(ctx.normalizedPath());
      case OPS -> false;
    });
  }

  /** For operator endpoints ({@code /metrics}, {@code /admin/**}). */
  public static Handler<RoutingContext> roles(ApiKeys keys, Set<Role> allowed) {
    return ctx -> authenticate(ctx, keys, key -> allowed.contains(key.role()));
  }

  private static void authenticate(RoutingContext ctx, ApiKeys keys, Predicate<ApiKey> allowed) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      ctx.fail(Problem.unauthorized());
      return;
    }
    var key = keys.find(header.substring(BEARER.length()).trim());
    if (key.isEmpty()) {
      ctx.fail(Problem.unauthorized());
      return;
    }
    if (!allowed.test(key.get())) {
      ctx.fail(Problem.forbidden("The " + key.get().role().name().toLowerCase() + " role may not do that"));
      return;
    }
    ctx.put(KEY, key.get());
    ctx.next();
  }

  /**
   * Whether an agent key authenticated this request (set by {@link #api}). Viewers read debtors without their
   * token (docs/api.md "Authentication").
   */
  public static boolean isAgent(RoutingContext ctx) {
    ApiKey key = ctx.get(KEY);
    if (key == null) {
      throw new IllegalStateException("No authenticated key on this request");
    }
    return key.role() == Role.AGENT;
  }

  private static boolean isRead(HttpMethod m) {
    return m == HttpMethod.GET || m == HttpMethod.HEAD;
  }

  private static boolean isViewerPath(String path) {
    return path.startsWith("/api/dashboard") || path.startsWith("/api/debtors") || path.startsWith("/api/worklist");
  }
}
