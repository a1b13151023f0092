package dev.beacon.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded PostgreSQL Beacon starts when no database is configured. Unlike the library's test defaults,
 * fsync and synchronous_commit are on: this holds real data, kept under {@code data/pg} across restarts.
 * Start and stop block for seconds: call them from a worker thread.
 */
public final class EmbeddedPg implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPg.class);

  private final EmbeddedPostgres pg;

  private EmbeddedPg(EmbeddedPostgres pg) {
    this.pg = pg;
  }

  /** Starts (initialising on first use) a durable server with its data in {@code dir}. Blocking. */
  public static EmbeddedPg startDurable(Path dir, int port) throws IOException {
    Files.createDirectories(dir);
    EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
        .setDataDirectory(dir.toAbsolutePath())
        .setCleanDataDirectory(false)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "200");
    if (port > 0) {
      b.setPort(port);
    }
    EmbeddedPg e = new EmbeddedPg(b.start());
    LOG.info("Embedded PostgreSQL started on port {} with data in {}", e.port(), dir);
    return e;
  }

  /** A throw-away server for tests: fast, not durable. Blocking. */
  public static EmbeddedPg startForTests() throws IOException {
    return new EmbeddedPg(EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start());
  }

  public int port() {
    return pg.getPort();
  }

  /** A libpq-style URL for the default {@code postgres} database and user (trust authentication). */
  public String url() {
    return "postgresql://postgres@localhost:" + port() + "/postgres";
  }

  @Override
  public void close() throws IOException {
    pg.close();
    LOG.info("Embedded PostgreSQL stopped");
  }
}
