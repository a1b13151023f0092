package dev.beacon;

import dev.beacon.config.BeaconConfig;
import dev.beacon.http.ApiKeys;
import io.vertx.sqlclient.Pool;

/**
 * What every HTTP verticle instance shares: the validated config, the one database pool, the pool for
 * read-only dashboard queries (a replica when {@code db.readUrl} is set, else the same pool), the API keys
 * and the schema version the code expects (for readiness).
 */
public record Deps(BeaconConfig config, Pool pool, Pool readPool, ApiKeys keys, String schemaVersion) {

  /** Without a replica: reads use the primary pool. */
  public Deps(BeaconConfig config, Pool pool, ApiKeys keys, String schemaVersion) {
    this(config, pool, pool, keys, schemaVersion);
  }
}
