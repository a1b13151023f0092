package dev.beacon.db;

import com.sun.management.OperatingSystemMXBean;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
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
    return startDurable(dir, port, true);
  }

  /**
   * As above; {@code ownShutdownHook} false leaves stopping it to the caller's own shutdown hook, so that the
   * database keeps serving while a stopping server drains (its own hook would stop it at once on SIGTERM).
   */
  public static EmbeddedPg startDurable(Path dir, int port, boolean ownShutdownHook) throws IOException {
    Files.createDirectories(dir);
    EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
        .setDataDirectory(dir.toAbsolutePath())
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(ownShutdownHook)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "200")
        .setServerConfig("shared_buffers", sharedBuffersMb() + "MB");
    if (port > 0) {
      b.setPort(port);
    }
    EmbeddedPg e = new EmbeddedPg(b.start());
    LOG.info("Embedded PostgreSQL started on port {} with data in {}", e.port(), dir);
    return e;
  }

  /**
   * PostgreSQL's 128 MB default holds little of a large portfolio: a scoring run's updates then read most of
   * the index pages they touch (seven indexes on debtors) from the operating system. An eighth of the
   * machine's memory, between 128 MB and 1 GB, leaves the rest to the JVM and the page cache (docs/benchmarks.md
   * has the scoring figures with each setting).
   */
  static int sharedBuffersMb() {
    long total = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    return (int) Math.max(128, Math.min(1024, total / 8 / (1024 * 1024)));
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
