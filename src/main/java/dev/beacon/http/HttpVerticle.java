package dev.beacon.http;

import dev.beacon.Deps;
import dev.beacon.communications.CommunicationRoutes;
import dev.beacon.debtors.DebtorRoutes;
import dev.beacon.ops.Health;
import dev.beacon.tracking.pages.PageRoutes;
import dev.beacon.payments.PaymentRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.util.concurrent.TimeUnit;

/** Builds the root router, mounts each feature's routes and listens. No business logic lives here. */
public final class HttpVerticle extends VerticleBase {
  /** How long a stopping server waits for requests in flight before it closes their connections. */
  static final long SHUTDOWN_GRACE_SECONDS = 20;

  private final Deps deps;
  private HttpServer server;

  public HttpVerticle(Deps deps) {
    this.deps = deps;
  }

  /** The router with every route, exposed for tests that mount it on their own server. */
  public static Router router(io.vertx.core.Vertx vertx, Deps deps) {
    Router router = Router.router(vertx);
    router.route().failureHandler(Problems::handle);
    router.errorHandler(404, Problems::handle);
    router.errorHandler(405, Problems::handle);
    router.errorHandler(500, Problems::handle);

    Health.mount(router, vertx, deps);
    OpenApi.mount(router);
    router.route("/api/*").handler(Auth.api(deps.keys()));
    DebtorRoutes.mount(router, vertx, deps);
    PageRoutes.mount(router, vertx, deps);
    CommunicationRoutes.mount(router, vertx, deps);
    PaymentRoutes.mount(router, vertx, deps);
    dev.beacon.scoring.ScoringRoutes.mount(router, vertx, deps);
    return router;
  }

  @Override
  public Future<?> start() {
    var http = deps.config().http();
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(http.host())
        .setPort(http.port())
        .setCompressionSupported(true)
        .setIdleTimeout(60)
        .setIdleTimeoutUnit(TimeUnit.SECONDS));
    return server.requestHandler(router(vertx, deps)).listen();
  }

  @Override
  public Future<?> stop() {
    // Stop accepting, let requests in flight finish, then close.
    return server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
