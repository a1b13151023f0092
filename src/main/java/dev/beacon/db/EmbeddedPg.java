package dev.beacon.db;

import com.sun.management.OperatingSystemMXBean;
import dev.beacon.config.PgUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;

/**
 * The embedded PostgreSQL Beacon starts when no database is configured. Unlike the library's test defaults,
 * fsync and synchronous_commit are on: this holds real data, kept under {@code data/pg} across restarts.
 * Start and stop block for seconds: call them from a worker thread.
 */
public final class EmbeddedPg implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPg.class);
  /** The one address the server listens on (and the one {@link #url()} names). */
  static final String LISTEN = "127.0.0.1";
  static final int PORT_ATTEMPTS = 5;

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
   * {@code port} 0: a free port, see {@link #startOnFreePort}.
   */
  public static EmbeddedPg startDurable(Path dir, int port, boolean ownShutdownHook) throws IOException {
    stopOrphan(dir);
    return port > 0 ? start(dir, port, ownShutdownHook) : startOnFreePort(dir, EmbeddedPg::freePort, ownShutdownHook);
  }

  /**
   * A port is chosen free and PostgreSQL binds it a moment later: another process may take it in between. The
   * server listens on one address only ({@value #LISTEN}), so it then exits at once instead of serving on another
   * address, and the start-up probe reaches the other process: unless the server that answers runs from this data
   * directory, the start is given up and tried again on the next port of {@code ports}, up to {@value #PORT_ATTEMPTS}
   * times. Beacon therefore never uses another process's database.
   */
  static EmbeddedPg startOnFreePort(Path dir, IntSupplier ports, boolean ownShutdownHook) throws IOException {
    PortTaken last = null;
    for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      int port = ports.getAsInt();
      try {
        return start(dir, port, ownShutdownHook);
      } catch (PortTaken e) {
        LOG.warn("Port {} was taken by another server before the embedded PostgreSQL bound it; trying another", port);
        last = e;
      }
    }
    throw new IOException("The embedded PostgreSQL found no free port in " + PORT_ATTEMPTS + " attempts", last);
  }

  /** How long a start may take before it counts as failed. */
  static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  private static EmbeddedPg start(Path dir, int port, boolean ownShutdownHook) throws IOException {
    Files.createDirectories(dir);
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(dir.toAbsolutePath())
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(ownShutdownHook)
        .setPort(port)
        .setServerConfig("listen_addresses", LISTEN)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "200")
        .setServerConfig("shared_buffers", sharedBuffersMb() + "MB")
        // The start-up probe must not wait for ever on a process that accepts and never answers.
        .setConnectConfig("loginTimeout", "5")
        // initdb and the first start fsync everything: on a slow or busy disk that takes more than the default 10 s.
        .setPGStartupWait(STARTUP_WAIT)
        .start();
    if (!servesFrom(pg, dir)) {
      pg.close(); // ours exits at bind: this only releases the data directory's lock
      awaitExit(pg.getProcess(), dir);
      throw new PortTaken(port);
    }
    EmbeddedPg e = new EmbeddedPg(pg);
    LOG.info("Embedded PostgreSQL started on port {} with data in {}", e.port(), dir);
    return e;
  }

  /**
   * Waits (at most {@link #EXIT_WAIT}) until the postmaster that failed to bind has exited. The start-up probe
   * returns as soon as the other server answers, often before ours has given up, and even before {@code pg_ctl} has
   * launched it (no lock file yet to find it by); a retry started meanwhile would find the data directory locked
   * and never come up. {@code pg_ctl start -w} exits only once its postmaster is ready or dead, so it is waited for
   * first, then whatever postmaster still holds the lock file.
   */
  private static void awaitExit(Process pgCtl, Path dir) throws IOException {
    long deadline = System.nanoTime() + EXIT_WAIT.toNanos();
    boolean ctlExited = exited(pgCtl.toHandle(), EXIT_WAIT);
    Optional<ProcessHandle> failed = postmaster(dir);
    Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    if (!ctlExited || failed.isPresent() && !exited(failed.get(), left)) {
      LOG.warn("The embedded PostgreSQL that could not bind (pid {}) has not exited; trying the next port anyway",
          failed.map(ProcessHandle::pid).orElse(pgCtl.pid()));
    }
  }

  /**
   * A postmaster left running from {@code dir} by a Beacon that was killed (kill -9, an OOM kill: no shutdown hook
   * ran) holds the data directory, and a new start there would fail. Its clients died with that process, so it is
   * asked to shut down (SIGTERM: PostgreSQL's smart shutdown, which commits nothing new and loses nothing
   * committed) and waited for, at most {@link #ORPHAN_WAIT}.
   */
  static void stopOrphan(Path dir) throws IOException {
    Optional<ProcessHandle> orphan = postmaster(dir);
    if (orphan.isEmpty()) {
      return;
    }
    LOG.warn("An embedded PostgreSQL (pid {}) was still running from {} (Beacon was killed before it could stop "
        + "it): stopping it", orphan.get().pid(), dir);
    orphan.get().destroy();
    if (!exited(orphan.get(), ORPHAN_WAIT)) {
      throw new IOException("an embedded PostgreSQL (pid " + orphan.get().pid() + ") still runs from " + dir
          + " and did not stop within " + ORPHAN_WAIT.toSeconds() + " s: stop it, then start Beacon again");
    }
  }

  /**
   * The live postmaster that holds {@code dir} by its lock file, if any: only a postgres process whose command line
   * names this directory counts (a stale lock file's pid may belong to anything by now).
   */
  private static Optional<ProcessHandle> postmaster(Path dir) throws IOException {
    Path lock = dir.resolve("postmaster.pid");
    if (!Files.exists(lock)) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(lock).get(0).trim());
    } catch (RuntimeException e) {
      return Optional.empty(); // not (yet) a lock file PostgreSQL wrote: let PostgreSQL judge it
    }
    String data = dir.toAbsolutePath().toString();
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> h.info().commandLine()
        .map(c -> c.contains("postgres") && c.contains(data)).orElse(false));
  }

  /** Whether {@code postmaster} exited within {@code atMost}. */
  private static boolean exited(ProcessHandle postmaster, Duration atMost) throws IOException {
    try {
      postmaster.onExit().get(atMost.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !postmaster.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while an embedded PostgreSQL (pid " + postmaster.pid() + ") stops", e);
    }
  }

  /** How long an orphaned postmaster may take to shut down. */
  static final Duration ORPHAN_WAIT = Duration.ofSeconds(30);

  /** How long a postmaster that could not bind may take to exit before the next port is tried anyway. */
  static final Duration EXIT_WAIT = Duration.ofSeconds(10);

  /** True when the server answering on the embedded server's port runs from {@code dir}. */
  private static boolean servesFrom(EmbeddedPostgres pg, Path dir) throws IOException {
    try (Connection c = pg.getPostgresDatabase().getConnection();
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SHOW data_directory")) {
      return rs.next() && Files.isSameFile(Path.of(rs.getString(1)), dir);
    } catch (SQLException e) {
      return false;
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The port chosen was answered by a server that is not this one. */
  static final class PortTaken extends IOException {
    PortTaken(int port) {
      super("port " + port + " is served by another process");
    }
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
    return PgUrl.of(LISTEN, port(), "postgres", "postgres").toString();
  }

  @Override
  public void close() throws IOException {
    pg.close();
    LOG.info("Embedded PostgreSQL stopped");
  }
}
