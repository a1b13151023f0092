package dev.beacon.payments;

import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import dev.beacon.http.Headers;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import dev.beacon.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
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
  static final CharSequence SIGNATURE = Headers.STRIPE_SIGNATURE;
  /** Stripe's own default: a signature older than five minutes is refused (replay protection). */
  static final long TOLERANCE_SECONDS = 300;
  static final int BODY_LIMIT = 1024 * 1024;

  private final Pool pool;
  private final StripeEventRepository events = new StripeEventRepository();
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
      count(WebhookOutcome.BAD_SIGNATURE);
      throw Problem.malformed("The Stripe-Signature header does not verify");
    } catch (EventDataObjectDeserializationException | RuntimeException e) {
      LOG.debug("Stripe webhook with an unreadable body refused: {}", e.getClass().getSimpleName());
      count(WebhookOutcome.MALFORMED);
      throw Problem.malformed("The body is not a Stripe event");
    }
    if (event.getId() == null || event.getType() == null) {
      count(WebhookOutcome.MALFORMED);
      throw Problem.malformed("The body is not a Stripe event");
    }
    process(event, parsed)
        .onSuccess(outcome -> {
          LOG.info("Stripe event {} ({}): {}", event.getId(), event.getType(), outcome.label());
          count(outcome);
          Requests.json(ctx, 200, new JsonObject().put("received", true).put("outcome", outcome.label()));
        })
        .onFailure(t -> {
          count(WebhookOutcome.FAILED);
          ctx.fail(t);
        });
  }

  /** {@code beacon_webhook_events{outcome}}: applied, duplicate, recorded, unmatched, bad_signature, malformed, failed. */
  private static void count(WebhookOutcome outcome) {
    Meters.counter("beacon_webhook_events", "outcome", outcome.label(), "Stripe webhook deliveries by outcome")
        .increment();
  }

  /** Records the event and applies it; answers what happened (applied, duplicate, recorded, unmatched). */
  Future<WebhookOutcome> process(Event event, StripeEvents.Parsed parsed) {
    OffsetDateTime created = event.getCreated() == null ? null
        : OffsetDateTime.ofInstant(Instant.ofEpochSecond(event.getCreated()), ZoneOffset.UTC);
    return pool.withTransaction(conn -> events.insert(conn, event.getId(), event.getType(), created)
        .compose(inserted -> {
          if (!inserted) {
            return Future.succeededFuture(WebhookOutcome.DUPLICATE);
          }
          if (parsed == null) {
            return events.outcome(conn, event.getId(), WebhookOutcome.RECORDED, null);
          }
          return apply(conn, event.getId(), parsed);
        }));
  }

  private Future<WebhookOutcome> apply(SqlConnection conn, String eventId, StripeEvents.Parsed parsed) {
    StripeEvents.Target t = parsed.target();
    String object = t.paymentIntentId() != null ? t.paymentIntentId() : t.chargeId();
    Future<Void> locked = object == null ? Future.succeededFuture() : events.lockObject(conn, object);
    return locked.compose(x -> events.findPayment(conn, t)).compose(paymentId -> {
      if (paymentId == null) {
        if (parsed.change().waitsForItsPayment() && object != null) {
          return events.park(conn, eventId, t.paymentIntentId(), t.chargeId(), parsed.change())
              .map(WebhookOutcome.UNMATCHED);
        }
        return events.outcome(conn, eventId, WebhookOutcome.UNMATCHED, null);
      }
      OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
      return ledger.apply(conn, paymentId, parsed.change(), now)
          .compose(r -> applyParked(conn, paymentId, now))
          .compose(r -> events.outcome(conn, eventId, WebhookOutcome.APPLIED, paymentId));
    });
  }

  /** Applies, in order, the parked events this payment's Stripe ids now match (none, nearly always). */
  private Future<Void> applyParked(SqlConnection conn, UUID paymentId, OffsetDateTime now) {
    return events.parked(conn, paymentId).compose(parked -> {
      Future<Void> chain = Future.succeededFuture();
      for (StripeEventRepository.Parked p : parked) {
        chain = chain.compose(x -> ledger.apply(conn, paymentId, p.change(), now))
            .compose(x -> events.unpark(conn, p.eventId(), paymentId));
      }
      return chain;
    });
  }
}
