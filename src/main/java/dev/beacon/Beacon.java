package dev.beacon;

import dev.beacon.app.Routes;
import dev.beacon.app.Services;
import dev.beacon.config.BeaconConfig;
import dev.beacon.config.ConfigException;
import dev.beacon.config.ConfigSource;
import dev.beacon.db.Database;
import dev.beacon.db.EmbeddedPg;
import dev.beacon.dashboard.RollupVerticle;
import dev.beacon.db.Migrations;
import dev.beacon.debtors.DemoData;
import dev.beacon.delivery.DeliveryDemo;
import dev.beacon.http.ApiKeys;
import dev.beacon.http.Drain;
import dev.beacon.http.HttpVerticle;
import dev.beacon.ops.InstanceScaler;
import dev.beacon.ops.Metrics;
import dev.beacon.ops.RetentionVerticle;
import dev.beacon.payments.PlanVerticle;
import dev.beacon.scoring.ScoringVerticle;
import dev.beacon.tracking.Enricher;
import dev.beacon.tracking.LinkSecret;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Beacon's entry point: config, database (embedded unless configured), migrations, verticles. Nothing else.
 * The command line is {@link Cli}.
 */
public final class Beacon {
  private static final Logger LOG = LoggerFactory.getLogger(Beacon.class);

  private final Vertx vertx;
  private BeaconConfig config;
  private EmbeddedPg embedded;
  private Pool pool;
  private Pool readPool;
  private InstanceScaler scaler;
  private volatile boolean serving;
  private String enricherId;
  private final AtomicReference<HttpVerticle> lastVerticle = new AtomicReference<>();

  private Beacon(Vertx vertx, BeaconConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  public static void main(String[] args) {
    int code = Cli.execute(args);
    if (code != Cli.KEEP_RUNNING) {
      System.exit(code);
    }
  }

  /** Loads and validates the configuration; applies the log format; fills the link secret. */
  static Beacon create() throws IOException {
    BeaconConfig config = loadConfig();
    Logs.configure(config.ops());
    config = LinkSecret.ensure(config);
    return new Beacon(Vertx.vertx(Metrics.vertxOptions()), config);
  }

  /** The server ({@code run}, the default command). Returns once it is ready; it runs until SIGTERM. */
  static void run(boolean demo) throws Exception {
    Beacon beacon = create();
    beacon.serving = true;
    // Registered before start so that a SIGTERM during start-up still stops the embedded database.
    Runtime.getRuntime().addShutdownHook(new Thread(beacon::shutdown, "beacon-shutdown"));
    try {
      beacon.start(demo).await(10, TimeUnit.MINUTES);
    } catch (Exception e) {
      LOG.error("Beacon could not start: {}", rootMessage(e));
      throw new Cli.Failed(1);
    }
  }

  /** {@code migrate} or {@code info}. */
  static void command(String command) throws Exception {
    create().runCommand(command);
  }

  /** {@code backup} or {@code restore}: an exit code. */
  static int dataCommand(List<String> argv) throws IOException {
    return create().runDataCommand(argv);
  }

  /** Reads conf/config.json, then BEACON_* environment variables (and their _FILE forms), then -D properties. */
  static BeaconConfig loadConfig() throws ConfigException {
    return BeaconConfig.load(ConfigSource.ofProcess());
  }

  private Future<Database> database() {
    if (!config.db().embedded()) {
      return Future.succeededFuture(Database.of(config.db(), config.db().url()));
    }
    return vertx.executeBlocking(() -> {
      // The server's shutdown hook stops the embedded database after draining; commands keep its own hook.
      embedded = EmbeddedPg.startDurable(config.db().embeddedDir(), config.db().embeddedPort(), !serving);
      return Database.of(config.db(), embedded.url());
    });
  }

  private void runCommand(String command) throws Exception {
    Database db = database().await(5, TimeUnit.MINUTES);
    if (command.equals("info")) {
      System.out.print(Migrations.info(db));
    } else {
      Migrations.migrate(db);
    }
    stop();
  }

  /** {@code backup} or {@code restore} ({@link DataCommands}) on the migrated database; stops after. */
  private int runDataCommand(List<String> argv) {
    try {
      Database db = database().await(5, TimeUnit.MINUTES);
      Migrations.migrate(db);
      pool = db.pool(vertx, 2);
      return new DataCommands(vertx, pool, config.dataDir(), Migrations.currentVersion(db)).run(argv);
    } catch (Exception e) {
      System.err.println(argv.get(0) + " failed: " + rootMessage(e));
      return 1;
    } finally {
      stop();
    }
  }

  private Future<Void> start(boolean demo) throws IOException {
    if (config.http().port() == 0) {
      // Port 0 would give every verticle instance its own port: choose one free port for all of them.
      try (ServerSocket s = new ServerSocket(0)) {
        config = config.withPort(s.getLocalPort());
      }
    }
    return database()
        .compose(db -> vertx.executeBlocking(() -> {
          Migrations.migrate(db);
          return db;
        }))
        .compose(db -> {
          pool = db.pool(vertx, config.db().poolSize());
          readPool = config.db().readUrl().isEmpty() ? pool
              : Database.of(config.db(), config.db().readUrl()).pool(vertx, config.db().poolSize());
          return vertx.executeBlocking(() -> Migrations.currentVersion(db));
        })
        .compose(version -> vertx.executeBlocking(() -> keys(ApiKeys.loadOrCreate(config.auth().keys(),
                keyFile(config), System.out)))
            .map(keys -> new Services(config, pool, readPool, keys, version)))
        .compose(s -> (demo ? DemoData.seedOnce(pool)
            .compose(n -> n > 0 ? DeliveryDemo.seed(pool) : Future.succeededFuture(0)) : Future.succeededFuture()).map(s))
        .compose(s -> vertx.deployVerticle(new PlanVerticle(pool, config.payments())).map(s))
        .compose(s -> vertx.deployVerticle(new ScoringVerticle(pool, config.scoring())).map(s))
        .compose(s -> vertx.deployVerticle(new RollupVerticle(pool)).map(s))
        .compose(s -> vertx.deployVerticle(new Enricher(pool, config.tracking())).map(id -> {
          enricherId = id;
          return s;
        }))
        .compose(s -> vertx.deployVerticle(new RetentionVerticle(pool, config.retention())).map(s))
        .compose(s -> InstanceScaler.create(vertx, () -> {
          HttpVerticle v = Routes.httpVerticle(s);
          lastVerticle.set(v);
          return v;
        }))
        .compose(s -> {
          scaler = s;
          return s.scale(config.http().instances());
        })
        .map(n -> {
          String host = config.http().host().equals("0.0.0.0") ? "localhost" : config.http().host();
          LOG.info("Beacon is ready at http://{}:{} ({} HTTP verticle instances, {} database)", host,
              lastVerticle.get().actualPort(), n,
              config.db().embedded() ? "embedded" : "external");
          return null;
        });
  }

  /** The key store the {@code keys} commands manage (used when {@code auth.keys} is empty). */
  static Path keyFile(BeaconConfig config) {
    return config.dataDir().resolve("api-keys.json");
  }

  private ApiKeys keys(ApiKeys loaded) {
    return config.auth().keys().isEmpty() ? loaded.watch(vertx, keyFile(config)) : loaded;
  }

  /**
   * SIGTERM: readiness turns 503 at once (load balancers stop sending), the server keeps serving for
   * {@code http.shutdownDelay} while they notice, then it stops accepting and drains ({@link #stop()}).
   */
  private void shutdown() {
    Drain.of(vertx).begin();
    if (scaler != null && !config.ops().shutdownDelay().isZero()) {
      LOG.info("Shutting down: readiness is 503; still serving for {} before draining", config.ops().shutdownDelay());
      try {
        Thread.sleep(config.ops().shutdownDelay().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    stop();
  }

  /** Graceful: stop accepting, finish requests in flight, close the pool, then the embedded server. */
  private synchronized void stop() {
    try {
      if (scaler != null) {
        scaler.stop().await(60, TimeUnit.SECONDS);
        scaler = null;
      }
      if (enricherId != null) {
        // Before the pool closes: what it has not moved stays in the journal for the next process.
        vertx.undeploy(enricherId).await(30, TimeUnit.SECONDS);
        enricherId = null;
      }
      if (readPool != null && readPool != pool) {
        readPool.close().await(10, TimeUnit.SECONDS);
      }
      if (pool != null) {
        pool.close().await(10, TimeUnit.SECONDS);
        pool = null;
      }
    } catch (Exception e) {
      LOG.warn("Stopping did not finish cleanly: {}", rootMessage(e));
    }
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", rootMessage(e));
    }
    if (embedded != null) {
      try {
        embedded.close();
      } catch (Exception e) {
        LOG.warn("Embedded PostgreSQL did not stop cleanly: {}", e.toString());
      }
      embedded = null;
    }
    LOG.info("Beacon stopped");
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }
}
