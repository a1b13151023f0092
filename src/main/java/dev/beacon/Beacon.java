package dev.beacon;

import dev.beacon.config.BeaconConfig;
import dev.beacon.config.ConfigException;
import dev.beacon.config.ConfigSource;
import dev.beacon.db.Database;
import dev.beacon.db.EmbeddedPg;
import dev.beacon.db.Migrations;
import dev.beacon.debtors.DemoData;
import dev.beacon.http.ApiKeys;
import dev.beacon.http.HttpVerticle;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Beacon's entry point: config, database (embedded unless configured), migrations, verticles. Nothing else.
 * Commands: (none) run; {@code --demo} run and seed demo data once; {@code migrate}; {@code info}.
 */
public final class Beacon {
  private static final Logger LOG = LoggerFactory.getLogger(Beacon.class);
  private static final Path CONFIG_FILE = Path.of("conf", "config.json");

  private final Vertx vertx;
  private BeaconConfig config;
  private EmbeddedPg embedded;
  private Pool pool;
  private String deploymentId;
  private final List<HttpVerticle> verticles = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Beacon(Vertx vertx, BeaconConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  public static void main(String[] args) {
    List<String> argv = List.of(args);
    Vertx vertx = Vertx.vertx();
    BeaconConfig config;
    try {
      config = loadConfig(vertx);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      vertx.close();
      System.exit(2);
      return;
    }
    Beacon beacon = new Beacon(vertx, config);
    try {
      if (argv.contains("migrate") || argv.contains("info")) {
        beacon.runCommand(argv.contains("info") ? "info" : "migrate");
        return;
      }
      // Registered before start so that a SIGTERM during start-up still stops the embedded database.
      Runtime.getRuntime().addShutdownHook(new Thread(beacon::stop, "beacon-shutdown"));
      beacon.start(argv.contains("--demo")).await(10, TimeUnit.MINUTES);
    } catch (Exception e) {
      LOG.error("Beacon could not start: {}", rootMessage(e));
      System.exit(1);
    }
  }

  /** Reads conf/config.json, then BEACON_* environment variables, then -D properties. */
  static BeaconConfig loadConfig(Vertx vertx) throws ConfigException {
    JsonArray envKeys = new JsonArray();
    BeaconConfig.KEYS.forEach(k -> envKeys.add(ConfigSource.envName(k)));
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0)
        .addStore(new ConfigStoreOptions().setType("file").setOptional(true)
            .setConfig(new JsonObject().put("path", CONFIG_FILE.toString())));
    JsonObject file;
    try {
      file = ConfigRetriever.create(vertx, options).getConfig().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new ConfigException("Cannot read " + CONFIG_FILE + ": " + rootMessage(e));
    }
    Map<String, String> env = new HashMap<>();
    envKeys.forEach(k -> {
      String v = System.getenv((String) k);
      if (v != null) {
        env.put((String) k, v);
      }
    });
    Map<String, String> sys = new HashMap<>();
    BeaconConfig.KEYS.forEach(k -> {
      String v = System.getProperty(k);
      if (v != null) {
        sys.put(k, v);
      }
    });
    return BeaconConfig.load(new ConfigSource(file, env, sys));
  }

  private Future<Database> database() {
    if (!config.db().embedded()) {
      return Future.succeededFuture(Database.of(config.db(), config.db().url()));
    }
    return vertx.executeBlocking(() -> {
      embedded = EmbeddedPg.startDurable(config.db().embeddedDir(), config.db().embeddedPort());
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
          return vertx.executeBlocking(() -> Migrations.currentVersion(db));
        })
        .compose(version -> vertx.executeBlocking(() -> ApiKeys.loadOrCreate(config.auth().keys(),
                config.dataDir().resolve("api-keys.json"), System.out))
            .map(keys -> new Deps(config, pool, keys, version)))
        .compose(deps -> (demo ? DemoData.seedOnce(pool) : Future.succeededFuture()).map(deps))
        .compose(deps -> vertx.deployVerticle(new dev.beacon.payments.PlanVerticle(deps)).map(deps))
        .compose(deps -> vertx.deployVerticle(new dev.beacon.scoring.ScoringVerticle(deps)).map(deps))
        .compose(deps -> vertx.deployVerticle(() -> {
          HttpVerticle v = new HttpVerticle(deps);
          verticles.add(v);
          return v;
        }, new DeploymentOptions().setInstances(config.http().instances())))
        .map(id -> {
          deploymentId = id;
          String host = config.http().host().equals("0.0.0.0") ? "localhost" : config.http().host();
          LOG.info("Beacon is ready at http://{}:{} ({} HTTP verticle instances, {} database)", host,
              verticles.get(0).actualPort(), config.http().instances(),
              config.db().embedded() ? "embedded" : "external");
          return null;
        });
  }

  /** Graceful: stop accepting, finish requests in flight, close the pool, then the embedded server. */
  private synchronized void stop() {
    try {
      if (deploymentId != null) {
        vertx.undeploy(deploymentId).await(60, TimeUnit.SECONDS);
        deploymentId = null;
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
