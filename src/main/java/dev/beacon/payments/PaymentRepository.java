package dev.beacon.payments;

import dev.beacon.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The payments feature's SQL: checkout rows, Stripe ids, lists and the thank-you page's data. */
final class PaymentRepository {
  /** The debtor a checkout is for, locked so two checkouts of one debtor are decided one after the other. */
  static final String DEBTOR_FOR_CHECKOUT = """
      SELECT id, unique_token, email, first_name, total_owed, amount_paid, status,
             EXISTS (SELECT 1 FROM payment_plans p WHERE p.debtor_id = d.id AND p.status = %s) AS on_plan
      FROM debtors d WHERE (unique_token = $1 OR id = $2) FOR UPDATE""".formatted(PlanStatus.ACTIVE.literal());

  static final String INSERT_PLAN = """
      INSERT INTO payment_plans (debtor_id, total_amount, installments, installment_amount)
      VALUES ($1, $2, $3, $4) RETURNING id""";

  /**
   * A pending payment with its attribution: the debtor's payment page visits and payment-link clicks since
   * their previous completed payment (all of them when there is none).
   */
  static final String INSERT_PAYMENT = """
      WITH since AS (
        SELECT coalesce(max(completed_at), '-infinity'::timestamptz) AS at FROM payments
        WHERE debtor_id = $1 AND completed_at IS NOT NULL
      ),
      engagement AS (
        SELECT count(*) FILTER (WHERE e.kind = 'payment_page_visit') AS visits,
               count(*) FILTER (WHERE e.kind = 'payment_link_click') AS clicks
        FROM payment_engagement e, since WHERE e.debtor_id = $1 AND e.at > since.at
      )
      INSERT INTO payments (debtor_id, amount, payment_type, status, source, plan_id, installment,
                            payment_page_visits, payment_link_clicks)
      SELECT $1, $2, $3, %s, $4, $5, $6, visits, clicks FROM engagement
      RETURNING id""".formatted(PaymentStatus.PENDING.literal());

  static final String ATTACH_SESSION = """
      UPDATE payments SET stripe_session_id = $2, stripe_payment_intent_id = coalesce(stripe_payment_intent_id, $3),
        updated_at = now()
      WHERE id = $1""";

  static final String MARK_FAILED = """
      UPDATE payments SET status = %s, failure_reason = $2, updated_at = now()
      WHERE id = $1 AND status = %s""".formatted(PaymentStatus.FAILED.literal(), PaymentStatus.PENDING.literal());

  static final String CANCEL_PLAN = LedgerRepository.PLAN_CANCELLED;

  static final String LIST = """
      SELECT * FROM payments
      WHERE debtor_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
      ORDER BY created_at DESC, id DESC LIMIT $4""";

  static final String DEBTOR_EXISTS = "SELECT 1 FROM debtors WHERE id = $1";
  static final String TOKEN_EXISTS = "SELECT 1 FROM debtors WHERE unique_token = $1";

  static final String PAGE = """
      SELECT d.id, d.first_name, d.total_owed, d.amount_paid, p.status, p.amount
      FROM debtors d LEFT JOIN payments p ON p.id = $2 AND p.debtor_id = d.id
      WHERE d.unique_token = $1""";

  /** The debtor a checkout is for. */
  record Debtor(UUID id, String token, String email, String firstName, BigDecimal totalOwed, BigDecimal amountPaid,
                String status, boolean onPlan) {
    BigDecimal balance() {
      return totalOwed.subtract(amountPaid).max(BigDecimal.ZERO);
    }
  }

  /** A created pending payment, ready for its Checkout Session. */
  record Created(UUID paymentId, UUID planId, Debtor debtor, BigDecimal amount, String option, Integer installments) {}

  /** What the thank-you page shows. */
  record PageData(String firstName, BigDecimal balance, PaymentStatus paymentStatus, BigDecimal paymentAmount) {}

  private final Pool pool;

  PaymentRepository(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  /** Locks the debtor (by token or id), applies the rules and inserts the pending payment (and plan). */
  Future<Created> create(String token, UUID debtorId, CheckoutInput in) {
    return pool.withTransaction(conn -> conn.preparedQuery(DEBTOR_FOR_CHECKOUT).execute(Tuple.of(token, debtorId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(Problem.notFound("No such debtor"));
          }
          Row r = rows.iterator().next();
          Debtor d = new Debtor(r.getUUID("id"), r.getString("unique_token"), r.getString("email"),
              r.getString("first_name"), r.getBigDecimal("total_owed"), r.getBigDecimal("amount_paid"),
              r.getString("status"), r.getBoolean("on_plan"));
          return CheckoutRules.check(d, in).compose(amount -> insert(conn, d, in, amount));
        }));
  }

  private Future<Created> insert(SqlConnection conn, Debtor d, CheckoutInput in, BigDecimal amount) {
    if (!in.option().equals(CheckoutInput.PLAN)) {
      return conn.preparedQuery(INSERT_PAYMENT)
          .execute(Tuple.of(d.id(), amount, in.option(), "checkout", null, null))
          .map(rows -> new Created(rows.iterator().next().getUUID("id"), null, d, amount, in.option(), null));
    }
    BigDecimal total = d.balance();
    BigDecimal first = Amounts.installment(total, in.installments(), 1);
    return conn.preparedQuery(INSERT_PLAN)
        .execute(Tuple.of(d.id(), total, in.installments(), Amounts.installment(total, in.installments())))
        .compose(plans -> {
          UUID planId = plans.iterator().next().getUUID("id");
          return conn.preparedQuery(INSERT_PAYMENT)
              .execute(Tuple.of(d.id(), first, in.option(), "checkout", planId, 1))
              .map(rows -> new Created(rows.iterator().next().getUUID("id"), planId, d, first, in.option(),
                  in.installments()));
        });
  }

  Future<Void> attachSession(UUID paymentId, String sessionId, String paymentIntentId) {
    return pool.preparedQuery(ATTACH_SESSION).execute(Tuple.of(paymentId, sessionId, paymentIntentId)).mapEmpty();
  }

  Future<Void> markFailed(UUID paymentId, UUID planId, String reason) {
    return pool.withTransaction(conn -> conn.preparedQuery(MARK_FAILED).execute(Tuple.of(paymentId, reason))
        .compose(x -> planId == null ? Future.succeededFuture()
            : conn.preparedQuery(CANCEL_PLAN).execute(Tuple.of(planId)))
        .mapEmpty());
  }

  Future<List<JsonObject>> list(UUID debtorId, OffsetDateTime beforeAt, UUID beforeId, int limit) {
    return pool.preparedQuery(DEBTOR_EXISTS).execute(Tuple.of(debtorId)).compose(exists -> {
      if (exists.size() == 0) {
        return Future.failedFuture(Problem.notFound("No debtor " + debtorId));
      }
      return pool.preparedQuery(LIST).execute(Tuple.of(debtorId, beforeAt, beforeId, limit + 1)).map(rows -> {
        List<JsonObject> out = new ArrayList<>();
        rows.forEach(r -> out.add(Payment.from(r).toJson()));
        return out;
      });
    });
  }

  /** Whether a debtor has this token. */
  Future<Boolean> tokenExists(String token) {
    return pool.preparedQuery(TOKEN_EXISTS).execute(Tuple.of(token)).map(rows -> rows.size() > 0);
  }

  /** The page data, or null for an unknown token. */
  Future<PageData> page(String token, UUID paymentId) {
    return pool.preparedQuery(PAGE).execute(Tuple.of(token, paymentId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      BigDecimal balance = r.getBigDecimal("total_owed").subtract(r.getBigDecimal("amount_paid")).max(BigDecimal.ZERO);
      String status = r.getString("status");
      return new PageData(r.getString("first_name"), balance, status == null ? null : PaymentStatus.of(status),
          r.getBigDecimal("amount"));
    });
  }
}
