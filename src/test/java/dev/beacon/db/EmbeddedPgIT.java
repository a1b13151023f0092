package dev.beacon.db;

import dev.beacon.support.BeaconJar;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class EmbeddedPgIT {

  static String show(String jdbcUrl, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
         ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  @DisplayName("a free port taken by another PostgreSQL before ours binds it: ours starts on the next port, never uses the other")
  void portTakenBetweenChoiceAndBind_retriesOnAnotherPort(@TempDir Path dir) throws Exception {
    try (EmbeddedPostgres other = EmbeddedPostgres.builder().setPGStartupWait(EmbeddedPg.STARTUP_WAIT).start()) {
      int taken = other.getPort();
      AtomicInteger asked = new AtomicInteger();
      List<Integer> offered = new ArrayList<>();
      // The first port "chosen free" is the one the other server took in between; the next one is free.
      try (EmbeddedPg pg = EmbeddedPg.startOnFreePort(dir.resolve("pg"), () -> {
        int port = asked.getAndIncrement() == 0 ? taken : EmbeddedPg.freePort();
        offered.add(port);
        return port;
      }, true)) {
        assertThat(offered).hasSize(2);
        assertThat(pg.port()).isEqualTo(offered.get(1)).isNotEqualTo(taken);
        String ours = show(Database.of(pg.url(), null, null).jdbcUrl(), "SHOW data_directory");
        assertThat(Path.of(ours)).isEqualTo(dir.resolve("pg").toRealPath());
        // The other server was left alone and still runs from its own directory.
        String theirs = show("jdbc:postgresql://localhost:" + taken + "/postgres", "SHOW data_directory");
        assertThat(Files.isSameFile(Path.of(theirs), dir.resolve("pg"))).isFalse();
      }
    }
  }

  @RegisterExtension
  final BeaconJar.Server server = new BeaconJar.Server();

  @Test
  @DisplayName("Beacon killed with kill -9 leaves its embedded PostgreSQL running: the next start stops it and starts")
  void killedBeacon_orphanedPostmaster_isStoppedByTheNextStart(@TempDir Path dir) throws Exception {
    Process first = start(dir);
    Path lock = dir.resolve("pg").resolve("postmaster.pid");
    long orphan = Long.parseLong(Files.readAllLines(lock).get(0).trim());
    first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).contains(true);

    Process next = start(dir);
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(server.output()).anyMatch(l -> l.contains("was still running from"));
    next.destroy(); // SIGTERM: the graceful shutdown stops the embedded database
    assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.exists(lock)).isFalse();
  }

  /** Beacon from its jar on its own embedded PostgreSQL in {@code dir}; answers once it is ready. */
  private Process start(Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(BeaconJar.command());
    pb.environment().putAll(BeaconJar.env(dir, 1));
    pb.environment().remove("BEACON_DB_URL");
    pb.environment().remove("BEACON_DB_PASSWORD");
    server.start(pb, Duration.ofSeconds(120));
    return server.process();
  }

  @Test
  void portZero_startsOnAFreePort_andNamesItInItsUrl(@TempDir Path dir) throws Exception {
    try (EmbeddedPg pg = EmbeddedPg.startDurable(dir.resolve("pg"), 0)) {
      assertThat(pg.url()).isEqualTo("postgresql://postgres@127.0.0.1:" + pg.port() + "/postgres");
      assertThat(show(Database.of(pg.url(), null, null).jdbcUrl(), "SHOW fsync")).isEqualTo("on");
    }
  }
}
