package dev.beacon.support;

import dev.beacon.app.Routes;
import dev.beacon.app.Services;
import dev.beacon.config.BeaconConfig;
import dev.beacon.config.ConfigSource;
import dev.beacon.db.Database;
import dev.beacon.db.Migrations;
import dev.beacon.http.ApiKeys;
import dev.beacon.http.HttpVerticle;
import dev.beacon.ops.Metrics;
import dev.beacon.tracking.Enricher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.impl.WebClientInternal;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Beacon's HTTP verticle on a random port against the shared test database, with one key per role.
 * Integration tests create one per test class and call {@link #reset()} before each test.
 */
public final class TestApp implements AutoCloseable {
  public static final String AGENT_KEY = "test-agent-key";
  public static final String VIEWER_KEY = "test-viewer-key";
  public static final String OPS_KEY = "test-ops-key";
  public static final String LINK_SECRET = "test-link-secret";

  public final Vertx vertx;
  public final Pool pool;
  public final Database database;
  public final Services services;
  public final WebClient client;
  public final int port;
  private String deploymentId;
  private String enricherId;

  private TestApp(Vertx vertx, JsonObject overrides, Database database) {
    this.vertx = vertx;
    this.database = database;
    JsonObject file = new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1))
        .put("tracking", new JsonObject().put("linkSecret", LINK_SECRET).put("enrichInterval", "20ms"))
        // Tests of other features post to one token and one key in quick loops; RateLimitIT tests the limits.
        .put("limits", new JsonObject().put("tokenRequests", 10_000).put("apiKeyRequests", 100_000))
        .put("auth", new JsonObject().put("keys", new JsonArray()
            .add(key("agent", AGENT_KEY)).add(key("viewer", VIEWER_KEY)).add(key("ops", OPS_KEY))))
        .mergeIn(overrides, true);
    BeaconConfig config = BeaconConfig.load(new ConfigSource(file, Map.of(), Map.of()));
    this.pool = database.pool(vertx, 8);
    String version = Migrations.currentVersion(database);
    this.services = new Services(config, pool, pool, new ApiKeys(config.auth().keys()), version);
    HttpVerticle verticle = Routes.httpVerticle(services);
    this.deploymentId = await(vertx.deployVerticle(verticle));
    this.port = verticle.actualPort();
    this.enricherId = await(vertx.deployVerticle(new Enricher(pool, config.tracking())));
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost").setDefaultPort(port)
        .setFollowRedirects(false));
    // Every exchange through this client is checked against openapi.yaml (see Contract).
    ((WebClientInternal) client).addInterceptor(Contract.get()::intercept);
  }

  public static TestApp start() {
    return new TestApp(Vertx.vertx(), new JsonObject(), TestDatabase.get());
  }

  public static TestApp start(JsonObject configOverrides) {
    return new TestApp(Vertx.vertx(), configOverrides, TestDatabase.get());
  }

  /**
   * An app whose Vert.x runs with Beacon's metrics options (as Beacon main does), optionally over another
   * route to the test database (e.g. a TCP proxy the test controls).
   */
  public static TestApp startWithMetrics(JsonObject configOverrides, Database database) {
    TestDatabase.get();
    return new TestApp(Vertx.vertx(Metrics.vertxOptions()), configOverrides, database);
  }

  private static JsonObject key(String role, String key) {
    return new JsonObject().put("name", role).put("role", role).put("sha256", ApiKeys.sha256(key));
  }

  /**
   * Waits until the tracking journal is empty: every tracking request answered so far is then in the event
   * tables (the enricher moves and deletes journal rows in one transaction).
   */
  public void enriched() {
    Awaitility.await().atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> await(pool.query("SELECT count(*) FROM tracking_journal").execute())
            .iterator().next().getLong(0) == 0);
  }

  /** Undeploys this app's enricher (tests that run enrichers of their own). */
  public void stopEnricher() {
    if (enricherId != null) {
      await(vertx.undeploy(enricherId));
      enricherId = null;
    }
  }

  /** Deploys this app's enricher again. */
  public void startEnricher() {
    if (enricherId == null) {
      enricherId = await(vertx.deployVerticle(new Enricher(pool, services.config().tracking())));
    }
  }

  /**
   * Empties every application table (the schema history stays). The TRUNCATE takes every table's lock while
   * background work (an enricher, a rollup run) may hold some of them: a deadlock is retried, a few times.
   */
  public void reset() {
    for (int attempt = 1; ; attempt++) {
      try {
        await(pool.query(RESET).execute());
        return;
      } catch (IllegalStateException e) {
        boolean deadlock = e.getCause() instanceof PgException pg && "40P01".equals(pg.getSqlState());
        if (!deadlock || attempt == 5) {
          throw e;
        }
      }
    }
  }

  private static final String RESET = """
      DO $$ DECLARE t text; BEGIN
        SELECT string_agg(format('%I', tablename), ', ') INTO t FROM pg_tables
        WHERE schemaname = current_schema() AND tablename <> 'flyway_schema_history'
          AND tablename NOT LIKE '%\\_default' AND tablename !~ '_[0-9]{6}$';
        IF t IS NOT NULL THEN EXECUTE 'TRUNCATE ' || t || ' CASCADE'; END IF;
      END $$""";

  public String baseUrl() {
    return "http://localhost:" + port;
  }

  public static <T> T await(Future<T> f) {
    try {
      return f.await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Undeploys the app's own HTTP verticle (for tests that deploy instances of their own on the same port). */
  public void undeployVerticle() {
    await(vertx.undeploy(deploymentId));
    deploymentId = null;
  }

  @Override
  public void close() {
    if (enricherId != null) {
      await(vertx.undeploy(enricherId));
    }
    if (deploymentId != null) {
      await(vertx.undeploy(deploymentId));
    }
    await(pool.close());
    await(vertx.close());
  }
}
