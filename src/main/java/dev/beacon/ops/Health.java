package dev.beacon.ops;

import dev.beacon.http.Drain;
import dev.beacon.tracking.WriterLoad;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.sqlclient.Pool;

/**
 * {@code /health/live} reflects only the process; {@code /health/ready} says whether this process can serve:
 * the database answers (within {@value #DB_ANSWER_MS} ms) and carries the schema version this code expects, and
 * no tracking writer queue is above {@value #SATURATED} of its capacity, the tracking journal's backlog is
 * within {@code tracking.journalBacklogMax}, and the process is not shutting down ({@link Drain}). All checks run
 * at every call, so
 * readiness comes back by itself once the database answers again or the queues drain.
 */
public final class Health {
  private static final long DB_CHECK_TIMEOUT_MS = 2000;
  /** Answered KO before the health-check timeout (which would answer 500 rather than 503). */
  static final long DB_ANSWER_MS = 1500;
  /** A writer whose queue is fuller than this fraction of tracking.queueCapacity makes the process not ready. */
  public static final double SATURATED = 0.9;

  private Health() {}

  /** {@code schemaVersion}: the migration this build expects (readiness fails on another); null to not check. */
  public static void mount(Router router, Vertx vertx, Pool pool, String schemaVersion) {
    HealthRepository repo = new HealthRepository(pool);
    HealthChecks live = HealthChecks.create(vertx).register("process", p -> p.complete(Status.OK()));
    HealthChecks ready = HealthChecks.create(vertx)
        .register("database", DB_CHECK_TIMEOUT_MS, p -> checkDatabase(vertx, repo, schemaVersion, p))
        .register("writer", p -> checkWriter(WriterLoad.of(vertx), p))
        .register("journal", p -> checkJournal(WriterLoad.of(vertx), p))
        .register("accepting", p -> p.complete(Drain.of(vertx).active()
            ? Status.KO(new JsonObject().put("reason", "shutting down")) : Status.OK()));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(ready));
  }

  private static void checkWriter(WriterLoad load, Promise<Status> p) {
    double fill = load.maxFill();
    JsonObject data = new JsonObject().put("queued", load.outstanding()).put("maxFill", Math.round(fill * 1000) / 1000.0);
    p.complete(fill > SATURATED ? Status.KO(data) : Status.OK(data));
  }

  /** Not ready while the tracking journal's backlog is over tracking.journalBacklogMax (the writers shed). */
  private static void checkJournal(WriterLoad load, Promise<Status> p) {
    JsonObject data = new JsonObject().put("backlog", load.backlog())
        .put("lagSeconds", Math.round(load.lagSeconds() * 1000) / 1000.0);
    p.complete(load.backlogFull() ? Status.KO(data) : Status.OK(data));
  }

  private static void checkDatabase(Vertx vertx, HealthRepository repo, String expected, Promise<Status> p) {
    long timer = vertx.setTimer(DB_ANSWER_MS,
        t -> p.tryComplete(Status.KO(new JsonObject().put("error", "database did not answer in time"))));
    p.future().onComplete(ar -> vertx.cancelTimer(timer));
    repo.schemaVersion()
        .onSuccess(version -> {
          JsonObject data = new JsonObject().put("schemaVersion", version).put("expected", expected);
          if (expected == null || expected.equals(version)) {
            p.tryComplete(Status.OK(data));
          } else {
            p.tryComplete(Status.KO(data));
          }
        })
        .onFailure(e -> p.tryComplete(Status.KO(new JsonObject().put("error", "database unreachable"))));
  }
}
