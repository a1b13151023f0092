package dev.beacon.http;

import dev.beacon.core.Tokens;
import dev.beacon.db.PgErrors;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemsTest {
  @Test
  void theLoggedPathNeverHoldsAToken() {
    String token = Tokens.newToken();
    assertThat(Problems.loggablePath("/p/" + token + "/pay")).isEqualTo("/p/{…}/pay");
    assertThat(Problems.loggablePath("/t/o/" + token + "/6f1c1f9e-2b1a-4c59-9d0e-000000000000.gif"))
        .isEqualTo("/t/o/{…}/{…}");
    assertThat(Problems.loggablePath("/t/o/" + token + ".gif")).doesNotContain(token).isEqualTo("/t/o/{…}");
    assertThat(Problems.loggablePath("/s/Xq3vR9_kLm2T")).isEqualTo("/s/{…}");
  }

  @Test
  void shortSegmentsStayReadable() {
    assertThat(Problems.loggablePath("/api/debtors")).isEqualTo("/api/debtors");
    assertThat(Problems.loggablePath("/health/ready")).isEqualTo("/health/ready");
    assertThat(Problems.loggablePath("/")).isEqualTo("/");
    assertThat(Problems.loggablePath(null)).isEmpty();
  }

  private static PgException pg(String sqlState) {
    return new PgException("server message", "FATAL", sqlState, null);
  }

  @Test
  void thePoolsOwnSignalsMeanTheDatabaseIsDown() {
    assertThat(Problems.isDatabaseDown(new ConnectException("Connection refused"))).isTrue();
    assertThat(Problems.isDatabaseDown(ClosedConnectionException.INSTANCE)).isTrue();
    assertThat(Problems.isDatabaseDown(new VertxException("wrapped", new ConnectException()))).isTrue();
  }

  @Test
  void sqlStatesOfTheDownClassesMeanTheDatabaseIsDown() {
    assertThat(Problems.isDatabaseDown(pg("08006"))).as("connection failure").isTrue();
    assertThat(Problems.isDatabaseDown(pg(PgErrors.CANNOT_CONNECT_NOW))).as("starting up").isTrue();
    assertThat(Problems.isDatabaseDown(pg("57P01"))).as("admin shutdown").isTrue();
    assertThat(Problems.isDatabaseDown(pg(PgErrors.TOO_MANY_CONNECTIONS))).as("too many connections").isTrue();
  }

  @Test
  void otherFaultsAreNotReadAsDownWhateverTheirMessageSays() {
    assertThat(Problems.isDatabaseDown(pg(PgErrors.UNIQUE_VIOLATION))).isFalse();
    assertThat(Problems.isDatabaseDown(pg(PgErrors.DEADLOCK))).isFalse();
    assertThat(Problems.isDatabaseDown(new IllegalStateException("Connection refused: database is down"))).isFalse();
    assertThat(Problems.isDatabaseDown(new PgException("the database system is shutting down", "ERROR",
        PgErrors.CHECK_VIOLATION, null))).isFalse();
    assertThat(Problems.isDatabaseDown(null)).isFalse();
  }

  @Test
  void clientFaultsAreKnownByTypeNotByMessage() {
    assertThat(ClientErrors.kind(new HttpClosedException("x"))).isEqualTo(ClientErrors.DISCONNECT);
    assertThat(ClientErrors.kind(new TooLongFrameException("x")))
        .isEqualTo(ClientErrors.FRAMING);
    assertThat(ClientErrors.kind(new IllegalStateException("Connection reset by peer"))).isNull();
  }
}
