package dev.beacon.app;

import dev.beacon.communications.CommunicationRoutes;
import dev.beacon.dashboard.DashboardRoutes;
import dev.beacon.debtors.DebtorRoutes;
import dev.beacon.delivery.DeliveryRoutes;
import dev.beacon.http.Auth;
import dev.beacon.http.HttpVerticle;
import dev.beacon.http.OpenApi;
import dev.beacon.http.Problems;
import dev.beacon.http.StopActions;
import dev.beacon.ops.Health;
import dev.beacon.ops.OpsRoutes;
import dev.beacon.payments.PaymentRoutes;
import dev.beacon.scoring.ScoringRoutes;
import dev.beacon.sending.SendingRoutes;
import dev.beacon.tracking.TrackingRoutes;
import dev.beacon.tracking.pages.PageRoutes;
import dev.beacon.worklist.WorklistRoutes;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/** The root router: the error handlers, then every feature's routes, each given only what it uses. */
public final class Routes {
  private Routes() {}

  /** The HTTP verticle that serves {@link #router}; deployed once per instance. */
  public static HttpVerticle httpVerticle(Services s) {
    return new HttpVerticle(s.config(), (vertx, stops) -> router(vertx, s, stops));
  }

  /** The router with every route; what the features need stopped with the instance goes into {@code stops}. */
  public static Router router(Vertx vertx, Services s, StopActions stops) {
    Router router = Router.router(vertx);
    router.route().failureHandler(Problems::handle);
    router.errorHandler(404, Problems::handle);
    router.errorHandler(405, Problems::handle);
    router.errorHandler(500, Problems::handle);
    // A path or query that cannot be decoded fails while routes are matched, before any handler: the pixel still
    // answers its GIF, anything else a 400 problem, and nothing is logged (Vert.x would log the URI at ERROR).
    router.errorHandler(400, ctx -> {
      if (!TrackingRoutes.unroutablePixel(ctx)) {
        Problems.unroutable(ctx);
      }
    });

    Health.mount(router, vertx, s.pool(), s.schemaVersion());
    OpenApi.mount(router);
    router.route("/api/*").handler(Auth.api(s.keys())).handler(s.limits().perApiKey());
    // The router tries routes in order, and a route with a path parameter costs a regular expression match
    // (and its allocation) for each request it is tried on: the hot public paths (pixel, click, beacon, then
    // the debtors' pages) come first, so they are not tried against every API route before their own.
    TrackingRoutes.mount(router, vertx, s.pool(), s.config(), stops);
    PageRoutes.mount(router, s.pool(), s.config(), s.limits());
    DebtorRoutes.mount(router, s.pool(), s.config());
    CommunicationRoutes.mount(router, vertx, s.pool(), s.config());
    PaymentRoutes.mount(router, vertx, s.pool(), s.config(), s.limits());
    DeliveryRoutes.mount(router, vertx, s.pool(), s.config());
    OpsRoutes.mount(router, vertx, s.keys());
    DashboardRoutes.mount(router, vertx, s.pool(), s.readPool());
    ScoringRoutes.mount(router, vertx, s.pool(), s.config());
    WorklistRoutes.mount(router, s.pool());
    SendingRoutes.mount(router, vertx, s.pool(), s.config());
    return router;
  }
}
