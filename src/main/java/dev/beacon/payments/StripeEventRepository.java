package dev.beacon.payments;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of the Stripe webhook: {@code stripe_events} (one row per event id, the key of exactly-once), the
 * payment an event names, and the parked events that wait for their payment. Every method runs in the caller's
 * transaction.
 */
final class StripeEventRepository {
  static final String INSERT_EVENT = """
      INSERT INTO stripe_events (id, type, outcome, stripe_created_at) VALUES ($1, $2, %s, $3)
      ON CONFLICT (id) DO NOTHING RETURNING id""".formatted(WebhookOutcome.RECEIVED.literal());

  static final String FIND_PAYMENT = """
      SELECT id FROM payments
      WHERE id = $1 OR stripe_payment_intent_id = $2 OR stripe_charge_id = $3 OR stripe_session_id = $4
      ORDER BY (id = $1) IS TRUE DESC LIMIT 1""";

  static final String EVENT_OUTCOME = "UPDATE stripe_events SET outcome = $2, payment_id = $3 WHERE id = $1";

  /**
   * Serializes the events of one PaymentIntent (or, without one, one charge) across transactions and
   * processes: an event that finds no payment and parks cannot miss the event that makes its payment known.
   */
  static final String LOCK_STRIPE_OBJECT = "SELECT pg_advisory_xact_lock(hashtextextended('stripe ' || $1, 0))";

  static final String PARK = """
      UPDATE stripe_events SET outcome = %s, payment_intent_id = $2, charge_id = $3, parked = $4
      WHERE id = $1""".formatted(WebhookOutcome.UNMATCHED.literal());

  /** Parked events of this payment's PaymentIntent or charge, oldest first. */
  static final String PARKED = """
      SELECT e.id, e.parked FROM stripe_events e JOIN payments p ON p.id = $1
      WHERE e.parked IS NOT NULL
        AND (e.payment_intent_id = p.stripe_payment_intent_id OR e.charge_id = p.stripe_charge_id)
      ORDER BY e.stripe_created_at, e.received_at""";

  static final String UNPARK = """
      UPDATE stripe_events SET outcome = %s, payment_id = $2, parked = NULL WHERE id = $1"""
      .formatted(WebhookOutcome.APPLIED.literal());

  /** A parked event: its id and the change it waits to apply. */
  record Parked(String eventId, PaymentChange change) {}

  /** Records the event id; false when it was recorded before (a retry or a concurrent duplicate). */
  Future<Boolean> insert(SqlConnection conn, String eventId, String type, OffsetDateTime created) {
    return conn.preparedQuery(INSERT_EVENT).execute(Tuple.of(eventId, type, created)).map(rows -> rows.size() == 1);
  }

  /** Takes the transaction's lock on one Stripe object (a PaymentIntent or a charge id). */
  Future<Void> lockObject(SqlConnection conn, String stripeObjectId) {
    return conn.preparedQuery(LOCK_STRIPE_OBJECT).execute(Tuple.of(stripeObjectId)).mapEmpty();
  }

  /** The payment the event names by any of its ids (Beacon's own payment id first), or null. */
  Future<UUID> findPayment(SqlConnection conn, StripeEvents.Target t) {
    return conn.preparedQuery(FIND_PAYMENT)
        .execute(Tuple.of(t.paymentId(), t.paymentIntentId(), t.chargeId(), t.sessionId()))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("id"));
  }

  /** Keeps the event's change until an event makes its PaymentIntent or charge known on a payment. */
  Future<Void> park(SqlConnection conn, String eventId, String paymentIntentId, String chargeId, PaymentChange change) {
    return conn.preparedQuery(PARK).execute(Tuple.of(eventId, paymentIntentId, chargeId, change.toJson())).mapEmpty();
  }

  /** The parked events this payment's Stripe ids now match, oldest first (none, nearly always). */
  Future<List<Parked>> parked(SqlConnection conn, UUID paymentId) {
    return conn.preparedQuery(PARKED).execute(Tuple.of(paymentId)).map(rows -> {
      List<Parked> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new Parked(r.getString("id"), PaymentChange.fromJson((JsonObject) r.getValue("parked"))));
      }
      return out;
    });
  }

  Future<Void> unpark(SqlConnection conn, String eventId, UUID paymentId) {
    return conn.preparedQuery(UNPARK).execute(Tuple.of(eventId, paymentId)).mapEmpty();
  }

  Future<WebhookOutcome> outcome(SqlConnection conn, String eventId, WebhookOutcome outcome, UUID paymentId) {
    return conn.preparedQuery(EVENT_OUTCOME).execute(Tuple.of(eventId, outcome.label(), paymentId)).map(outcome);
  }
}
