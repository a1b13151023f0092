package dev.beacon.ops;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsTest {
  @Test
  void methodLabel_keepsStandardMethods_andFoldsAnyOtherTokenIntoOther() {
    assertThat(Metrics.methodLabel(HttpMethod.GET)).isEqualTo("GET");
    assertThat(Metrics.methodLabel(HttpMethod.valueOf("HEAD"))).isEqualTo("HEAD");
    assertThat(Metrics.methodLabel(HttpMethod.PATCH)).isEqualTo("PATCH");
    assertThat(Metrics.methodLabel(HttpMethod.valueOf("PROPFIND"))).isEqualTo("OTHER");
    assertThat(Metrics.methodLabel(HttpMethod.valueOf("ANYTHING_A_CLIENT_SENDS"))).isEqualTo("OTHER");
    assertThat(Metrics.methodLabel(null)).isEqualTo("OTHER");
  }
}
