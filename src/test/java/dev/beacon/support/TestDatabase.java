package dev.beacon.support;

import dev.beacon.config.PgUrl;
import dev.beacon.db.Database;
import dev.beacon.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * One real, migrated PostgreSQL for the whole test run: {@code BEACON_TEST_DB_URL} when set, else
 * Testcontainers when a Docker engine answers, else the embedded PostgreSQL. Started lazily, stopped at exit.
 */
public final class TestDatabase {
  private static Database database;

  private TestDatabase() {}

  public static synchronized Database get() {
    if (database == null) {
      database = start();
      Migrations.migrate(database);
    }
    return database;
  }

  private static Database start() {
    String url = System.getenv("BEACON_TEST_DB_URL");
    if (url != null && !url.isBlank()) {
      return Database.of(PgUrl.parse(url), null, null);
    }
    if (dockerAvailable()) {
      PostgreSQLContainer<?> pg = new PostgreSQLContainer<>("postgres:17-alpine");
      pg.start();
      Runtime.getRuntime().addShutdownHook(new Thread(pg::stop));
      return Database.of(PgUrl.of(pg.getHost(), pg.getFirstMappedPort(), pg.getDatabaseName(), pg.getUsername()),
          null, pg.getPassword());
    }
    try {
      // A throw-away server: the library's test defaults (fsync off), more connections than its 100.
      EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (Exception ignored) {
          // the JVM is exiting
        }
      }));
      return Database.of(PgUrl.of("localhost", pg.getPort(), "postgres", "postgres"), null, null);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start the embedded PostgreSQL for tests", e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }
}
