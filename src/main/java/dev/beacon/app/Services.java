package dev.beacon.app;

import dev.beacon.config.BeaconConfig;
import dev.beacon.http.ApiKeys;
import io.vertx.sqlclient.Pool;

/**
 * What the composition root builds once and hands out, piece by piece, to the features: the validated config, the
 * one database pool, the pool for read-only dashboard queries (a replica when {@code db.readUrl} is set, else the
 * same pool), the API keys and the schema version the code expects (for readiness). Features never see this
 * record, only the parts they use.
 */
public record Services(BeaconConfig config, Pool pool, Pool readPool, ApiKeys keys, String schemaVersion) {}
