package dev.beacon.config;

import dev.beacon.config.BeaconConfig.Retention;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetentionConfigTest {

  @Test
  void defaults_keepRawEvents25Months_andRecordsThreeYears_archivingUnderTheDataDir() {
    Retention r = BeaconConfig.of(new JsonObject().put("data", new JsonObject().put("dir", "/srv/b")))
        .retention();
    assertThat(r).extracting(Retention::enabled, Retention::emailEventsMonths, Retention::pageViewsMonths,
            Retention::communicationsYears, Retention::paymentsYears, Retention::archiveDir, Retention::interval)
        .containsExactly(true, 25, 25, 3, 3, Path.of("/srv/b/archive"), Duration.ofDays(1));
  }

  @Test
  void communicationsOrPaymentsKeptLessThanThreeYears_areRefused() {
    assertThatThrownBy(() -> BeaconConfig.of(retention(new JsonObject().put("communicationsYears", 2))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("retention.communicationsYears")
        .hasMessageContaining("1006.100");
    assertThatThrownBy(() -> BeaconConfig.of(retention(new JsonObject().put("paymentsYears", 1))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("retention.paymentsYears");
  }

  @Test
  void longerRetentionAndAnotherArchiveDir_areAccepted() {
    Retention r = BeaconConfig.of(retention(new JsonObject().put("communicationsYears", 7)
        .put("emailEventsMonths", 13).put("archiveDir", "/mnt/cold").put("interval", "6h"))).retention();
    assertThat(r).extracting(Retention::communicationsYears, Retention::emailEventsMonths, Retention::archiveDir,
            Retention::interval)
        .containsExactly(7, 13, Path.of("/mnt/cold"), Duration.ofHours(6));
  }

  @Test
  void zeroMonthsOfRawEvents_isRefused() {
    assertThatThrownBy(() -> BeaconConfig.of(retention(new JsonObject().put("pageViewsMonths", 0))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("retention.pageViewsMonths");
  }

  private static JsonObject retention(JsonObject r) {
    return new JsonObject().put("retention", r);
  }
}
