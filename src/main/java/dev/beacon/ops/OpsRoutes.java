package dev.beacon.ops;

import dev.beacon.config.BeaconConfig.Role;
import dev.beacon.http.ApiKeys;
import dev.beacon.http.Auth;
import dev.beacon.http.Bodies;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.Set;

/**
 * Operator endpoints (docs/operations.md), ops key only: {@code GET /metrics} (Prometheus text) and
 * {@code GET/PUT /admin/instances} (the number of HTTP verticle instances, changed at run time).
 */
public final class OpsRoutes {
  private static final int BODY_LIMIT = 1024;

  private OpsRoutes() {}

  public static void mount(Router router, Vertx vertx, ApiKeys keys) {
    var opsOnly = Auth.roles(keys, Set.of(Role.OPS));
    router.get("/metrics").handler(opsOnly).handler(PrometheusScrapingHandler.create());
    router.get("/admin/instances").handler(opsOnly).handler(ctx -> instances(ctx, scaler(vertx)));
    // Vert.x wants the body handler first on its route: read the (small) body, then authenticate.
    router.put("/admin/instances").handler(Bodies.limit(BODY_LIMIT)).handler(opsOnly)
        .handler(ctx -> scale(ctx, scaler(vertx)));
  }

  private static InstanceScaler scaler(Vertx vertx) {
    return InstanceScaler.of(vertx).orElseThrow(() -> Problem.notFound(
        "This process was started without an instance scaler"));
  }

  private static void instances(RoutingContext ctx, InstanceScaler scaler) {
    Requests.json(ctx, 200, new JsonObject().put("http", scaler.instances()));
  }

  private static void scale(RoutingContext ctx, InstanceScaler scaler) {
    JsonObject body = Bodies.object(ctx);
    Object http = body.getValue("http");
    if (!(http instanceof Integer n) || n < 1 || n > InstanceScaler.MAX_INSTANCES) {
      throw Problem.invalid("http", "must be an integer between 1 and " + InstanceScaler.MAX_INSTANCES);
    }
    scaler.scale(n)
        .onSuccess(count -> Requests.json(ctx, 200, new JsonObject().put("http", count)))
        .onFailure(t -> ctx.fail(Problem.unavailable("The new HTTP instances did not start", 5)));
  }
}
