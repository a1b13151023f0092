package dev.beacon.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void portZero_startsOnAFreePort_andNamesItInItsUrl(@TempDir Path dir) throws Exception {
    try (EmbeddedPg pg = EmbeddedPg.startDurable(dir.resolve("pg"), 0)) {
      assertThat(pg.url()).isEqualTo("postgresql://postgres@127.0.0.1:" + pg.port() + "/postgres");
      assertThat(show(Database.of(pg.url(), null, null).jdbcUrl(), "SHOW fsync")).isEqualTo("on");
    }
  }
}
