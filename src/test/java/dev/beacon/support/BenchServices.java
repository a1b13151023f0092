package dev.beacon.support;

import dev.beacon.app.Services;
import dev.beacon.config.BeaconConfig;
import dev.beacon.db.Database;
import dev.beacon.db.Migrations;
import dev.beacon.http.ApiKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

/** The services a read benchmark serves over HTTP: one pool, a free port, one viewer key without a rate limit. */
public final class BenchServices {
  private BenchServices() {
  }

  /** Services over {@code pool} on migrated {@code db}, for {@code instances} HTTP verticles, viewer {@code key}. */
  public static Services viewer(Database db, Pool pool, int instances, String key) {
    BeaconConfig config = BeaconConfig.of(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", instances))
        .put("tracking", new JsonObject().put("linkSecret", "bench"))
        // A benchmark's client is one key asking as fast as it can: the per-key limit (0 = none) would answer 429s.
        .put("limits", new JsonObject().put("apiKeyRequests", 0))
        .put("auth", new JsonObject().put("keys", new JsonArray().add(new JsonObject().put("name", "bench")
            .put("role", "viewer").put("sha256", ApiKeys.sha256(key))))));
    return new Services(config, pool, pool, new ApiKeys(config.auth().keys()), Migrations.currentVersion(db));
  }
}
