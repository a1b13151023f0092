package dev.beacon.tracking;

import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.await;

/** Debtors and communications for tracking tests. */
final class Fixtures {
  static final String BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      + "Chrome/120.0.0.0 Safari/537.36";
  static final String HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";

  record Debtor(UUID id, String token) {}

  private Fixtures() {}

  static Debtor debtor(TestApp app, String name) {
    JsonObject d = new Http(app).post("/api/debtors", AGENT_KEY, new JsonObject().put("firstName", name)
        .put("lastName", "Doe").put("email", name.toLowerCase() + "@example.com").put("state", "TX")
        .put("totalOwed", "100.00")).bodyAsJsonObject();
    return new Debtor(UUID.fromString(d.getString("id")), d.getString("uniqueToken"));
  }

  /** An outbound email sent {@code secondsAgo} seconds ago. */
  static UUID email(TestApp app, Debtor d, int secondsAgo) {
    return await(app.pool.preparedQuery("""
            INSERT INTO communications (debtor_id, type, direction, subject, "timestamp")
            VALUES ($1, 'email', 'outbound', 'Your balance', now() - make_interval(secs => $2)) RETURNING id""")
        .execute(Tuple.of(d.id(), secondsAgo))).iterator().next().getUUID("id");
  }

  /** A count once every tracking request answered so far has been enriched into the event tables. */
  static long count(TestApp app, String sql, Object... params) {
    app.enriched();
    return await(app.pool.preparedQuery(sql).execute(Tuple.wrap(params))).iterator().next().getLong(0);
  }

  /** Rows of a query once every tracking request answered so far has been enriched into the event tables. */
  static RowSet<Row> rows(TestApp app, String sql) {
    app.enriched();
    return await(app.pool.query(sql).execute());
  }
}
