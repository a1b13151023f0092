package dev.beacon.scoring;

import dev.beacon.support.TestApp;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.util.UUID;

import static dev.beacon.support.TestApp.await;

/** Inserts scoring test data with SQL. History is back-dated so a first run sees it as old activity. */
final class ScoringKit {
  private final Pool pool;

  ScoringKit(TestApp app) {
    this.pool = app.pool;
  }

  ScoringKit(Pool pool) {
    this.pool = pool;
  }

  /** A debtor created (and last edited) {@code daysAgo} days ago. */
  UUID debtor(String status, String owed, int daysAgo) {
    UUID id = UUID.randomUUID();
    await(pool.preparedQuery("""
            INSERT INTO debtors (id, first_name, last_name, unique_token, total_owed, status, created_at, updated_at)
            VALUES ($1, 'Test', 'Debtor', $2, $3, $4, now() - make_interval(days => $5),
                    now() - make_interval(days => $5))""")
        .execute(Tuple.of(id, "tok_" + id.toString().replace("-", ""), new BigDecimal(owed), status, daysAgo)));
    return id;
  }

  UUID debtor() {
    return debtor("active", "1000.00", 200);
  }

  /** {@code n} debtors as {@link #debtor()} makes them, in order. */
  UUID[] debtors(int n) {
    UUID[] ids = new UUID[n];
    for (int i = 0; i < n; i++) {
      ids[i] = debtor();
    }
    return ids;
  }

  /** {@code n} email events of a kind and label, {@code daysAgo} days ago. */
  void emailEvents(UUID debtor, String kind, String label, int n, double daysAgo) {
    await(pool.preparedQuery("""
            INSERT INTO email_events (debtor_id, kind, label, reason, occurred_at, url)
            SELECT $1, $2, $3, 'test', now() - make_interval(secs => $5 * 86400),
                   CASE WHEN $2 = 'click' THEN 'https://example.test/x' END
            FROM generate_series(1, $4)""")
        .execute(Tuple.of(debtor, kind, label, n, daysAgo)));
  }

  void pageView(UUID debtor, String type, int seconds, double daysAgo) {
    await(pool.preparedQuery("""
            INSERT INTO page_views (debtor_id, page_type, time_on_page, "timestamp")
            VALUES ($1, $2, $3, now() - make_interval(secs => $4 * 86400))""")
        .execute(Tuple.of(debtor, type, seconds, daysAgo)));
  }

  void payment(UUID debtor, String amount, double daysAgo) {
    await(pool.preparedQuery("""
            INSERT INTO payments (debtor_id, amount, payment_type, status, created_at, completed_at, updated_at)
            VALUES ($1, $2, 'partial', 'completed', now() - make_interval(secs => $3 * 86400),
                    now() - make_interval(secs => $3 * 86400), now() - make_interval(secs => $3 * 86400))""")
        .execute(Tuple.of(debtor, new BigDecimal(amount), daysAgo)));
  }

  void contact(UUID debtor, String direction, double daysAgo) {
    await(pool.preparedQuery("""
            INSERT INTO communications (debtor_id, type, direction, "timestamp", created_at)
            VALUES ($1, 'email', $2, now() - make_interval(secs => $3 * 86400),
                    now() - make_interval(secs => $3 * 86400))""")
        .execute(Tuple.of(debtor, direction, daysAgo)));
  }

  void sql(String sql) {
    await(pool.query(sql).execute());
  }

  int score(UUID debtor) {
    return await(pool.preparedQuery("SELECT payment_propensity_score FROM debtors WHERE id = $1")
        .execute(Tuple.of(debtor))).iterator().next().getInteger(0);
  }

  long count(String sql) {
    return await(pool.query(sql).execute()).iterator().next().getLong(0);
  }
}
