package dev.beacon.ops;

import dev.beacon.Deps;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.core.json.JsonObject;

/**
 * {@code /health/live} reflects only the process; {@code /health/ready} says whether this process can serve:
 * the database answers and carries the schema version this code expects.
 */
public final class Health {
  static final String LATEST_VERSION_SQL = """
      SELECT version FROM flyway_schema_history
      WHERE success AND version IS NOT NULL
      ORDER BY installed_rank DESC LIMIT 1""";
  private static final long DB_CHECK_TIMEOUT_MS = 2000;

  private Health() {}

  public static void mount(Router router, Vertx vertx, Deps deps) {
    HealthChecks live = HealthChecks.create(vertx).register("process", p -> p.complete(Status.OK()));
    HealthChecks ready = HealthChecks.create(vertx)
        .register("database", DB_CHECK_TIMEOUT_MS, p -> checkDatabase(deps, p));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(ready));
  }

  private static void checkDatabase(Deps deps, Promise<Status> p) {
    deps.pool().query(LATEST_VERSION_SQL).execute()
        .onSuccess(rows -> {
          String version = rows.size() == 0 ? null : rows.iterator().next().getString(0);
          JsonObject data = new JsonObject().put("schemaVersion", version).put("expected", deps.schemaVersion());
          if (deps.schemaVersion() == null || deps.schemaVersion().equals(version)) {
            p.tryComplete(Status.OK(data));
          } else {
            p.tryComplete(Status.KO(data));
          }
        })
        .onFailure(e -> p.tryComplete(Status.KO(new JsonObject().put("error", "database unreachable"))));
  }
}
