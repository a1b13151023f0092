package dev.beacon;

import dev.beacon.config.BeaconConfig;
import dev.beacon.http.ApiKeys;
import io.vertx.sqlclient.Pool;

/**
 * What every HTTP verticle instance shares: the validated config, the one database pool, the API keys and
 * the schema version the code expects (for readiness).
 */
public record Deps(BeaconConfig config, Pool pool, ApiKeys keys, String schemaVersion) {}
