package dev.beacon.debtors;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** The demo's counters and dates agree with its timeline, as a live debtor's would. */
@ExtendWith(BeaconExtension.class)
@Timeout(120)
class DemoDataIT {

  @Test
  void aSampleOfDemoDebtors_countersAndDatesMatchTheirTimeline(TestApp app) {
    assertThat(TestApp.await(DemoData.seedOnce(app.pool))).isEqualTo(DemoData.DEBTORS);
    var rows = TestApp.await(app.pool.query("""
        SELECT d.id, d.total_contacts,
               (SELECT count(*) FROM communications c WHERE c.debtor_id = d.id AND c.direction = 'outbound') AS outbound,
               d.last_contact_date IS NOT DISTINCT FROM (SELECT max("timestamp") FROM communications c
                 WHERE c.debtor_id = d.id AND c.direction = 'outbound') AS contact_ok,
               d.last_response_date IS NOT DISTINCT FROM (SELECT max(at) FROM (
                 SELECT "timestamp" AS at FROM communications c WHERE c.debtor_id = d.id AND c.direction = 'inbound'
                 UNION ALL SELECT occurred_at FROM email_events e WHERE e.debtor_id = d.id AND e.label = 'human'
                 UNION ALL SELECT "timestamp" FROM page_views v WHERE v.debtor_id = d.id) t) AS response_ok
        FROM debtors d ORDER BY d.id LIMIT 60""").execute());
    assertThat(rows.size()).isEqualTo(60);
    int withContacts = 0;
    for (var r : rows) {
      assertThat(r.getInteger("total_contacts")).as("debtor " + r.getUUID("id")).isEqualTo(r.getLong("outbound").intValue());
      assertThat(r.getBoolean("contact_ok")).as("last contact of " + r.getUUID("id")).isTrue();
      assertThat(r.getBoolean("response_ok")).as("last response of " + r.getUUID("id")).isTrue();
      withContacts += r.getInteger("total_contacts") > 0 ? 1 : 0;
    }
    assertThat(withContacts).isEqualTo(60);
    String id = rows.iterator().next().getUUID("id").toString();
    JsonObject d = new Http(app).get("/api/debtors/" + id, AGENT_KEY).bodyAsJsonObject();
    assertThat(d.getInteger("totalContacts")).isPositive();
    assertThat(d.getString("lastContactDate")).isNotNull();
  }
}
