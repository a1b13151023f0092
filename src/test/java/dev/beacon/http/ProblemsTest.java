package dev.beacon.http;

import dev.beacon.core.Tokens;
import org.junit.jupiter.api.Test;

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
}
