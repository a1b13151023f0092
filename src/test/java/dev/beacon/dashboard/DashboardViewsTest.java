package dev.beacon.dashboard;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DashboardViewsTest {
  @Test
  void ratio_isFourDecimals_andZeroOnAnEmptyBase() {
    assertThat(DashboardViews.ratio(1, 3)).isEqualTo(0.3333);
    assertThat(DashboardViews.ratio(5, 0)).isZero();
  }

  @Test
  void funnel_ratesFromPreviousAndFirst_missingStagesAreZero() {
    Range r = new Range(OffsetDateTime.parse("2026-11-01T00:00:00Z"), OffsetDateTime.parse("2026-11-02T00:00:00Z"));
    JsonObject f = DashboardViews.funnel(r, List.of(new DashboardRepository.Stage("contacted", 10),
        new DashboardRepository.Stage("opened", 4), new DashboardRepository.Stage("clicked", 1)));
    JsonObject clicked = f.getJsonArray("stages").getJsonObject(2);
    assertThat(clicked.getDouble("rateFromPrevious")).isEqualTo(0.25);
    assertThat(clicked.getDouble("rateFromFirst")).isEqualTo(0.1);
    assertThat(f.getJsonArray("stages").getJsonObject(4).getLong("debtors")).isZero();
    assertThat(f.getLong("machineOpenedDebtors")).isZero();
  }

  @Test
  void activity_buildsDenseDayBuckets() {
    Range r = new Range(OffsetDateTime.parse("2026-11-01T00:00:00Z"), OffsetDateTime.parse("2026-11-04T00:00:00Z"));
    JsonObject a = DashboardViews.activity(r, "day", List.of(new DashboardRepository.Point(
        OffsetDateTime.parse("2026-11-02T00:00:00Z"), "open", "human", 7, java.math.BigDecimal.ZERO)));
    assertThat(a.getJsonArray("buckets")).hasSize(3);
    JsonObject humanOpens = a.getJsonArray("series").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("kind").equals("open") && o.getString("label").equals("human")).findFirst().orElseThrow();
    assertThat(humanOpens.getJsonArray("values").getList()).containsExactly(0L, 7L, 0L);
  }
}
