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
    JsonObject clicked = f.getJsonArray("stages").getJsonObject(3);
    assertThat(clicked.getString("stage")).isEqualTo("clicked");
    assertThat(clicked.getDouble("rateFromPrevious")).isEqualTo(0.25);
    assertThat(clicked.getDouble("rateFromFirst")).isEqualTo(0.1);
    assertThat(f.getJsonArray("stages").getJsonObject(5).getLong("debtors")).isZero();
    assertThat(f.getLong("machineOpenedDebtors")).isZero();
    assertThat(f.getLong("bouncedDebtors")).isZero();
    assertThat(f.getDouble("bounceRate")).isZero();
  }

  @Test
  void funnel_withoutDeliveryReports_openedIsRatedFromContacted() {
    Range r = new Range(OffsetDateTime.parse("2026-11-01T00:00:00Z"), OffsetDateTime.parse("2026-11-02T00:00:00Z"));
    JsonObject f = DashboardViews.funnel(r, List.of(new DashboardRepository.Stage("contacted", 10),
        new DashboardRepository.Stage("opened", 4)));
    JsonObject delivered = f.getJsonArray("stages").getJsonObject(1);
    assertThat(delivered.getString("stage")).isEqualTo("delivered");
    assertThat(delivered.getLong("debtors")).isZero();
    assertThat(f.getJsonArray("stages").getJsonObject(2).getDouble("rateFromPrevious")).isEqualTo(0.4);
  }

  @Test
  void funnel_deliveredStage_ratesOpenedFromDelivered_bouncesAndComplaintsFromContacted() {
    Range r = new Range(OffsetDateTime.parse("2026-11-01T00:00:00Z"), OffsetDateTime.parse("2026-11-02T00:00:00Z"));
    JsonObject f = DashboardViews.funnel(r, List.of(new DashboardRepository.Stage("contacted", 10),
        new DashboardRepository.Stage("delivered", 8), new DashboardRepository.Stage("opened", 4),
        new DashboardRepository.Stage("bounced", 2), new DashboardRepository.Stage("complained", 1)));
    assertThat(f.getJsonArray("stages").getJsonObject(1).getDouble("rateFromPrevious")).isEqualTo(0.8);
    assertThat(f.getJsonArray("stages").getJsonObject(2).getDouble("rateFromPrevious")).isEqualTo(0.5);
    assertThat(f.getLong("bouncedDebtors")).isEqualTo(2);
    assertThat(f.getDouble("bounceRate")).isEqualTo(0.2);
    assertThat(f.getLong("complainedDebtors")).isEqualTo(1);
    assertThat(f.getDouble("complaintRate")).isEqualTo(0.1);
  }

  @Test
  void activity_buildsDenseDayBuckets() {
    Range r = new Range(OffsetDateTime.parse("2026-11-01T00:00:00Z"), OffsetDateTime.parse("2026-11-04T00:00:00Z"));
    JsonObject a = DashboardViews.activity(r, "day", List.of(new DashboardRepository.Point(
        OffsetDateTime.parse("2026-11-02T00:00:00Z"), "open", "human", 7)));
    assertThat(a.getJsonArray("buckets")).hasSize(3);
    JsonObject humanOpens = a.getJsonArray("series").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("kind").equals("open") && o.getString("label").equals("human")).findFirst().orElseThrow();
    assertThat(humanOpens.getJsonArray("values").getList()).containsExactly(0L, 7L, 0L);
  }

  @Test
  void activity_addsTheHoursOfAPartialDayToThatDay() {
    Range r = new Range(OffsetDateTime.parse("2026-10-31T22:00:00Z"), OffsetDateTime.parse("2026-11-02T03:00:00Z"));
    JsonObject a = DashboardViews.activity(r, "day", List.of(
        new DashboardRepository.Point(OffsetDateTime.parse("2026-10-31T23:00:00Z"), "open", "human", 2),
        new DashboardRepository.Point(OffsetDateTime.parse("2026-11-01T00:00:00Z"), "open", "human", 5),
        new DashboardRepository.Point(OffsetDateTime.parse("2026-11-02T01:00:00Z"), "open", "human", 1),
        new DashboardRepository.Point(OffsetDateTime.parse("2026-11-02T02:00:00Z"), "open", "human", 3)));
    assertThat(a.getJsonArray("buckets").getList())
        .containsExactly("2026-10-31T00:00:00Z", "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z");
    JsonObject humanOpens = a.getJsonArray("series").getJsonObject(3);
    assertThat(humanOpens.getString("kind") + "/" + humanOpens.getString("label")).isEqualTo("open/human");
    assertThat(humanOpens.getJsonArray("values").getList()).containsExactly(2L, 5L, 4L);
  }

  @Test
  void days_wholeUtcDaysInsideTheRange_noneWithinOneDay() {
    OffsetDateTime from = OffsetDateTime.parse("2026-10-31T22:00:00Z");
    OffsetDateTime to = OffsetDateTime.parse("2026-11-02T03:00:00Z");
    var across = DashboardRepository.days(new Range(from, to));
    assertThat(across.getValue(2)).isEqualTo(OffsetDateTime.parse("2026-11-01T00:00:00Z"));
    assertThat(across.getValue(3)).isEqualTo(OffsetDateTime.parse("2026-11-02T00:00:00Z"));
    var aligned = DashboardRepository.days(new Range(OffsetDateTime.parse("2026-11-01T00:00:00Z"), to));
    assertThat(aligned.getValue(2)).isEqualTo(OffsetDateTime.parse("2026-11-01T00:00:00Z"));
    var inside = DashboardRepository.days(new Range(OffsetDateTime.parse("2026-11-01T10:00:00Z"),
        OffsetDateTime.parse("2026-11-01T11:00:00Z")));
    assertThat(inside.getValue(2)).isEqualTo(OffsetDateTime.parse("2026-11-01T11:00:00Z"));
    assertThat(inside.getValue(3)).isEqualTo(OffsetDateTime.parse("2026-11-01T11:00:00Z"));
  }
}
