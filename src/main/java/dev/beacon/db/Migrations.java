package dev.beacon.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Flyway owns every piece of DDL ({@code src/main/resources/db/migration}). Forward-only: a database migrated
 * by a newer Beacon is refused at start rather than silently used. Blocking: run on a worker thread.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  private static Flyway flyway(Database db) {
    return Flyway.configure()
        // UTC as in the pool's sessions (Database): partition bounds must not depend on the JVM's zone.
        .dataSource(new UtcDataSource(db))
        .locations("classpath:db/migration")
        // Do not ignore "future" migrations: a schema newer than this code stops start-up.
        .ignoreMigrationPatterns("")
        .cleanDisabled(true)
        .load();
  }

  /**
   * Flyway's connections, each set to UTC as it is opened (what Flyway's deprecated {@code initSql} did): the JVM's
   * zone would otherwise reach the session through the driver's {@code TimeZone} start-up parameter.
   */
  static final class UtcDataSource extends PGSimpleDataSource {
    UtcDataSource(Database db) {
      setUrl(db.jdbcUrl());
      setUser(db.user());
      setPassword(db.password());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      Connection c = super.getConnection(user, password);
      try (var st = c.createStatement()) {
        st.execute("SET TIME ZONE 'UTC'");
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      return c;
    }
  }

  /**
   * Validates what is applied (an applied migration this code does not know, i.e. a newer schema, fails
   * validation) and applies what is pending.
   */
  public static int migrate(Database db) {
    Flyway f = flyway(db);
    MigrateResult r = f.migrate();
    LOG.info("Database schema at version {} ({} migrations applied now)", f.info().current().getVersion(),
        r.migrationsExecuted);
    return r.migrationsExecuted;
  }

  /** A printable table of every migration and its state (the {@code info} command). */
  public static String info(Database db) {
    StringBuilder sb = new StringBuilder();
    for (MigrationInfo m : flyway(db).info().all()) {
      sb.append(String.format("%-6s %-50s %-10s %s%n", m.getVersion(), m.getDescription(), m.getState(),
          m.getInstalledOn() == null ? "" : m.getInstalledOn()));
    }
    return sb.toString();
  }

  /** The applied schema version, or null on an empty database. */
  public static String currentVersion(Database db) {
    MigrationInfo c = flyway(db).info().current();
    return c == null || c.getVersion() == null ? null : c.getVersion().getVersion();
  }
}
