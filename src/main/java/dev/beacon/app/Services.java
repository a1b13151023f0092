package dev.beacon.app;

import dev.beacon.config.BeaconConfig;
import dev.beacon.http.ApiKeys;
import dev.beacon.http.RateLimits;
import io.vertx.sqlclient.Pool;

/**
 * What the composition root builds once and hands out, piece by piece, to the features: the validated config, the
 * one database pool, the pool for read-only dashboard queries (a replica when {@code db.readUrl} is set, else the
 * same pool), the API keys, the schema version the code expects (for readiness) and the rate limiters, one set
 * shared by every HTTP verticle instance. Features never see this record, only the parts they use.
 */
public record Services(BeaconConfig config, Pool pool, Pool readPool, ApiKeys keys, String schemaVersion,
                       RateLimits limits) {
  /** With new rate limiters, from {@code config.limits()}. */
  public Services(BeaconConfig config, Pool pool, Pool readPool, ApiKeys keys, String schemaVersion) {
    this(config, pool, readPool, keys, schemaVersion, new RateLimits(config.limits()));
  }
}
