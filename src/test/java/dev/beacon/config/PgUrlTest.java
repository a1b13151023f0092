package dev.beacon.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgUrlTest {

  @Test
  void parsesLibpqAndJdbcForms_andPrintsBoth() {
    PgUrl url = PgUrl.parse("jdbc:postgresql://beacon:secret@db.internal:6543/beacon");
    assertThat(url.toString()).isEqualTo("postgresql://beacon:secret@db.internal:6543/beacon");
    assertThat(url.options().getUser()).isEqualTo("beacon");
    assertThat(url.options().getPassword()).isEqualTo("secret");
    assertThat(PgUrl.jdbc(url.options())).isEqualTo("jdbc:postgresql://db.internal:6543/beacon");
    assertThat(PgUrl.parse("postgres://h/d").options().getPort()).isEqualTo(5432);
  }

  @Test
  void of_buildsATrustUrl() {
    PgUrl url = PgUrl.of("127.0.0.1", 5433, "postgres", "postgres");
    assertThat(url.toString()).isEqualTo("postgresql://postgres@127.0.0.1:5433/postgres");
    assertThat(PgUrl.parse(url.toString())).isEqualTo(url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mysql://x/y", "postgresql:/missing", "db.internal:5432/beacon", ""})
  void rejectsWhatIsNotAPostgresqlUrl(String text) {
    assertThatThrownBy(() -> PgUrl.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
