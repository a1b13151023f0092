package dev.beacon.dashboard;

import dev.beacon.debtors.DemoData;
import dev.beacon.delivery.DeliveryDemo;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.beacon.support.TestApp.VIEWER_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(90)
class DemoDashboardIT {
  @Test
  @DisplayName("with the demo portfolio every dashboard panel has something to show, human and machine engagement apart")
  void demoData_fillsEveryPanel(TestApp app) {
    assertThat(await(DemoData.seedOnce(app.pool))).isEqualTo(DemoData.DEBTORS);
    assertThat(await(DeliveryDemo.seed(app.pool))).isPositive();
    assertThat(await(DeliveryDemo.seed(app.pool))).as("seeding again adds nothing").isZero();
    DashKit kit = new DashKit(app);
    DashboardApiIT.awaitVersion(app, kit.rollup().version());
    // inbound contacts are never gated, as in the live path
    assertThat(kit.scalar("SELECT count(*) FROM communications WHERE direction = 'inbound'")).isPositive();
    assertThat(kit.scalar("SELECT count(*) FROM communications WHERE direction = 'inbound' AND compliance_checked"))
        .isZero();
    // opens and clicks belong to the debtor's own outbound emails, after they were sent
    assertThat(kit.scalar("""
        SELECT count(*) FROM email_events e JOIN communications c ON c.id = e.communication_id
        WHERE c.debtor_id <> e.debtor_id OR c.type <> 'email' OR e.occurred_at < c."timestamp" """)).isZero();
    assertThat(kit.scalar("""
        SELECT count(*) FROM communications c WHERE c.email_opened AND NOT EXISTS (
          SELECT 1 FROM email_events e WHERE e.communication_id = c.id AND e.label = 'human')
          AND c."timestamp" < now() - interval '2 days'""")).isZero();

    Http http = new Http(app);
    JsonObject s = http.get("/api/dashboard/summary", VIEWER_KEY).bodyAsJsonObject();
    assertThat(s.getJsonObject("debtors").getLong("total")).isEqualTo(DemoData.DEBTORS);
    assertThat(s.getJsonObject("contacts").getLong("total")).isPositive();
    assertThat(s.getJsonObject("opens").getLong("human")).isPositive();
    assertThat(s.getJsonObject("opens").getLong("machine")).isPositive();
    assertThat(s.getJsonObject("clicks").getLong("human")).isPositive();
    assertThat(s.getJsonObject("pageViews").getLong("payment")).isPositive();
    assertThat(s.getJsonObject("payments").getLong("count")).isPositive();
    assertThat(s.getDouble("collectionRate")).isBetween(0.01, 0.99);
    assertThat(s.getJsonObject("humanEngagement").getDouble("openRate")).isBetween(0.05, 1.0);

    JsonObject f = http.get("/api/dashboard/funnel", VIEWER_KEY).bodyAsJsonObject();
    f.getJsonArray("stages").forEach(st -> assertThat(((JsonObject) st).getLong("debtors"))
        .as(((JsonObject) st).getString("stage")).isPositive());
    assertThat(f.getLong("bouncedDebtors")).isPositive();
    assertThat(f.getLong("complainedDebtors")).isPositive();
    assertThat(s.getJsonObject("emailDelivery").getLong("delivered")).isPositive();
    // the demo's bounces and complaints took effect at the gate
    assertThat(kit.scalar("SELECT count(*) FROM email_undeliverable")).isPositive();
    assertThat(kit.scalar("SELECT count(*) FROM debtor_opt_outs WHERE source = 'complaint'")).isPositive();

    JsonObject a = http.get("/api/dashboard/activity?bucket=day", VIEWER_KEY).bodyAsJsonObject();
    assertThat(DashboardApiIT.longs(DashboardApiIT.series(a, "open", "human")).stream().filter(v -> v > 0).count())
        .isGreaterThan(20);

    JsonObject sc = http.get("/api/dashboard/scores", VIEWER_KEY).bodyAsJsonObject();
    assertThat(sc.getJsonArray("histogram").stream().mapToLong(b -> ((JsonObject) b).getLong("debtors")).sum())
        .isEqualTo(DemoData.DEBTORS);
    assertThat(http.get("/api/dashboard/top-debtors", VIEWER_KEY).bodyAsJsonObject().getJsonArray("items")).hasSize(10);
  }
}
