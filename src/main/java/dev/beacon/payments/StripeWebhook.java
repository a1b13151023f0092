package dev.beacon.payments;

import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import dev.beacon.ops.Meters;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * {@code POST /webhooks/stripe}: verifies the signature on the raw body, then records the event id and applies
 * its effect in one transaction. A duplicate (a retry, or a concurrent second delivery, which waits on the
 * event id's unique index) changes nothing. The 2xx leaves only after the commit.
 */
final class StripeWebhook {
  private static final Logger LOG = LoggerFactory.getLogger(StripeWebhook.class);
  static final String SIGNATURE = "Stripe-Signature";
  /** Stripe's own default: a signature older than five minutes is refused (replay protection). */
  static final long TOLERANCE_SECONDS = 300;
  static final int BODY_LIMIT = 1024 * 1024;

  static final String INSERT_EVENT = """
      INSERT INTO stripe_events (id, type, outcome, stripe_created_at) VALUES ($1, $2, 'received', $3)
      ON CONFLICT (id) DO NOTHING RETURNING id""";

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
      UPDATE stripe_events SET outcome = 'unmatched', payment_intent_id = $2, charge_id = $3, parked = $4
      WHERE id = $1""";

  /** Parked events of this payment's PaymentIntent or charge, oldest first. */
  static final String PARKED = """
      SELECT e.id, e.parked FROM stripe_events e JOIN payments p ON p.id = $1
      WHERE e.parked IS NOT NULL
        AND (e.payment_intent_id = p.stripe_payment_intent_id OR e.charge_id = p.stripe_charge_id)
      ORDER BY e.stripe_created_at, e.received_at""";

  static final String UNPARK = """
      UPDATE stripe_events SET outcome = 'applied', payment_id = $2, parked = NULL WHERE id = $1""";

  private final Pool pool;
  private final Ledger ledger;
  private final String secret;

  StripeWebhook(Pool pool, Ledger ledger, String secret) {
    this.pool = pool;
    this.ledger = ledger;
    this.secret = secret;
  }

  void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader(SIGNATURE);
    String payload = ctx.body() == null ? null : ctx.body().asString();
    if (header == null || payload == null) {
      throw Problem.malformed("A signed Stripe event is required");
    }
    Event event;
    StripeEvents.Parsed parsed;
    try {
      event = Webhook.constructEvent(payload, header, secret, TOLERANCE_SECONDS);
      parsed = StripeEvents.parse(event);
    } catch (SignatureVerificationException e) {
      LOG.debug("Stripe webhook with a bad or stale signature refused");
      count("bad_signature");
      throw Problem.malformed("The Stripe-Signature header does not verify");
    } catch (EventDataObjectDeserializationException | RuntimeException e) {
      LOG.debug("Stripe webhook with an unreadable body refused: {}", e.getClass().getSimpleName());
      count("malformed");
      throw Problem.malformed("The body is not a Stripe event");
    }
    if (event.getId() == null || event.getType() == null) {
      count("malformed");
      throw Problem.malformed("The body is not a Stripe event");
    }
    process(event, parsed)
        .onSuccess(outcome -> {
          LOG.info("Stripe event {} ({}): {}", event.getId(), event.getType(), outcome);
          count(outcome);
          Requests.json(ctx, 200, new JsonObject().put("received", true).put("outcome", outcome));
        })
        .onFailure(t -> {
          count("failed");
          ctx.fail(t);
        });
  }

  /** {@code beacon_webhook_events{outcome}}: applied, duplicate, recorded, unmatched, bad_signature, malformed, failed. */
  private static void count(String outcome) {
    Meters.counter("beacon_webhook_events", "outcome", outcome, "Stripe webhook deliveries by outcome").increment();
  }

  /** Records the event and applies it; answers what happened (applied, duplicate, recorded, unmatched). */
  Future<String> process(Event event, StripeEvents.Parsed parsed) {
    OffsetDateTime created = event.getCreated() == null ? null
        : OffsetDateTime.ofInstant(Instant.ofEpochSecond(event.getCreated()), ZoneOffset.UTC);
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT_EVENT)
        .execute(Tuple.of(event.getId(), event.getType(), created))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture("duplicate");
          }
          if (parsed == null) {
            return outcome(conn, event.getId(), "recorded", null);
          }
          return apply(conn, event.getId(), parsed);
        }));
  }

  private Future<String> apply(SqlConnection conn, String eventId, StripeEvents.Parsed parsed) {
    StripeEvents.Target t = parsed.target();
    String object = t.paymentIntentId() != null ? t.paymentIntentId() : t.chargeId();
    Future<?> locked = object == null ? Future.succeededFuture()
        : conn.preparedQuery(LOCK_STRIPE_OBJECT).execute(Tuple.of(object));
    return locked.compose(x -> conn.preparedQuery(FIND_PAYMENT)
        .execute(Tuple.of(t.paymentId(), t.paymentIntentId(), t.chargeId(), t.sessionId())))
        .compose(rows -> {
          if (rows.size() == 0) {
            if (parsed.change().waitsForItsPayment() && object != null) {
              return conn.preparedQuery(PARK).execute(Tuple.of(eventId, t.paymentIntentId(), t.chargeId(),
                  parsed.change().toJson())).map("unmatched");
            }
            return outcome(conn, eventId, "unmatched", null);
          }
          UUID paymentId = rows.iterator().next().getUUID("id");
          OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
          return ledger.apply(conn, paymentId, parsed.change(), now)
              .compose(r -> applyParked(conn, paymentId, now))
              .compose(r -> outcome(conn, eventId, "applied", paymentId));
        });
  }

  /** Applies, in order, the parked events this payment's Stripe ids now match (none, nearly always). */
  private Future<Void> applyParked(SqlConnection conn, UUID paymentId, OffsetDateTime now) {
    return conn.preparedQuery(PARKED).execute(Tuple.of(paymentId)).compose(rows -> {
      Future<Void> chain = Future.succeededFuture();
      for (var r : rows) {
        String id = r.getString("id");
        Change change = Change.fromJson((JsonObject) r.getValue("parked"));
        chain = chain.compose(x -> ledger.apply(conn, paymentId, change, now))
            .compose(x -> conn.preparedQuery(UNPARK).execute(Tuple.of(id, paymentId)))
            .mapEmpty();
      }
      return chain;
    });
  }

  private static Future<String> outcome(SqlConnection conn, String eventId, String outcome, UUID paymentId) {
    return conn.preparedQuery(EVENT_OUTCOME).execute(Tuple.of(eventId, outcome, paymentId)).map(outcome);
  }
}
