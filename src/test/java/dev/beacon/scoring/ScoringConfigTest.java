package dev.beacon.scoring;

import dev.beacon.config.BeaconConfig;
import dev.beacon.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScoringConfigTest {

  static BeaconConfig.Scoring scoring(JsonObject s) {
    return BeaconConfig.of(new JsonObject().put("scoring", s)).scoring();
  }

  @Test
  void defaults_fiveMinutes_v1_chunksOf5000() {
    BeaconConfig.Scoring s = BeaconConfig.of(new JsonObject()).scoring();
    assertThat(s.interval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.model()).isEqualTo("v1");
    assertThat(s.chunkSize()).isEqualTo(5000);
  }

  @Test
  void values_areRead() {
    BeaconConfig.Scoring s = scoring(new JsonObject().put("interval", "30s").put("model", "v3").put("chunkSize", 100));
    assertThat(s.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.model()).isEqualTo("v3");
    assertThat(s.chunkSize()).isEqualTo(100);
  }

  @Test
  void badValues_nameTheKey() {
    assertThatThrownBy(() -> scoring(new JsonObject().put("model", "latest")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("scoring.model");
    assertThatThrownBy(() -> scoring(new JsonObject().put("interval", "1ms")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("scoring.interval");
    assertThatThrownBy(() -> scoring(new JsonObject().put("chunkSize", 0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("scoring.chunkSize");
  }
}
