package dev.beacon.ops;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/** The SQL of {@link Health}: the schema version the database carries. */
final class HealthRepository {
  static final String LATEST_VERSION = """
      SELECT version FROM flyway_schema_history
      WHERE success AND version IS NOT NULL
      ORDER BY installed_rank DESC LIMIT 1""";

  private final Pool pool;

  HealthRepository(Pool pool) {
    this.pool = pool;
  }

  /** The version of the last migration applied successfully; null when none is. */
  Future<String> schemaVersion() {
    return pool.query(LATEST_VERSION).execute()
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }
}
