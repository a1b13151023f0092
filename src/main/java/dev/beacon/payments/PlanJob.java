package dev.beacon.payments;

import com.stripe.exception.CardException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.PaymentIntent;
import dev.beacon.db.AdvisoryLock;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Charges the due installments of active payment plans off-session, one plan after another. Each attempt is a
 * {@code payments} row whose id is the Stripe idempotency key, so a run that dies half-way and the next run
 * reuse the same attempt and never charge twice. A PostgreSQL advisory lock keeps a fleet to one runner.
 */
final class PlanJob {
  private static final Logger LOG = LoggerFactory.getLogger(PlanJob.class);
  static final int MAX_PLANS_PER_RUN = 500;

  /** What one run did. */
  record Run(boolean ran, int charged, int failed, int deferred, int paidOff) {}

  private enum Outcome { CHARGED, FAILED, DEFERRED, PAID_OFF }

  private final Pool pool;
  private final PlanRepository plans;
  private final LedgerRepository ledgerRepo = new LedgerRepository();
  private final StripeGateway stripe;
  private final Ledger ledger;

  PlanJob(Pool pool, StripeGateway stripe, Ledger ledger) {
    this.pool = pool;
    this.plans = new PlanRepository(pool);
    this.stripe = stripe;
    this.ledger = ledger;
  }

  /** Charges every installment due at {@code now}; does nothing when another process holds the lock. */
  Future<Run> runOnce(OffsetDateTime now) {
    return AdvisoryLock.tryWith(pool, AdvisoryLock.Key.PLAN_JOB, lock -> chargeDue(now),
        () -> new Run(false, 0, 0, 0, 0));
  }

  private Future<Run> chargeDue(OffsetDateTime now) {
    return plans.due(now, MAX_PLANS_PER_RUN).compose(due -> {
      int[] counts = new int[Outcome.values().length];
      Future<Void> chain = Future.succeededFuture();
      for (PlanRepository.Due d : due) {
        chain = chain.compose(x -> charge(d, now)
            .recover(t -> {
              LOG.warn("Plan {} installment {}: {}", d.planId(), d.installment(), StripeGateway.loggable(t));
              return Future.succeededFuture(Outcome.DEFERRED);
            })
            .map(o -> {
              counts[o.ordinal()]++;
              return null;
            }));
      }
      return chain.map(x -> new Run(true, counts[0], counts[1], counts[2], counts[3]));
    });
  }

  private Future<Outcome> charge(PlanRepository.Due d, OffsetDateTime now) {
    BigDecimal installment = Amounts.installment(d.total(), d.installments(), d.installment());
    return plans.attempt(d, installment, now)
        .compose(attempt -> {
          if (attempt == null || (attempt.paymentIntentId() == null && attempt.owed().signum() == 0)) {
            return plans.paidOff(d.planId()).map(Outcome.PAID_OFF);
          }
          UUID paymentId = attempt.paymentId();
          String intent = attempt.paymentIntentId();
          if (intent != null) {
            // Already sent (e.g. still processing): ask Stripe how it ended. Creating it again would rely on the
            // idempotency key, which Stripe forgets after 24 hours, and charge twice.
            return stripe.paymentIntent(intent).compose(pi -> result(paymentId, pi, now));
          }
          // The attempt's own amount: a retried request must carry the same parameters as its idempotency key.
          BigDecimal amount = attempt.amount();
          return card(d).compose(card -> {
            if (card == null) {
              return settle(paymentId, PaymentChange.of(PaymentChange.Action.FAIL).failure("no saved card for the plan").build(), now)
                  .map(Outcome.FAILED);
            }
            var request = new StripeGateway.Charge(paymentId, d.debtorId(), d.planId(), d.installment(), amount,
                card[0], card[1]);
            return stripe.charge(request).transform(ar -> ar.succeeded()
                ? result(paymentId, ar.result(), now)
                : failure(paymentId, ar.cause(), now));
          });
        });
  }

  /** The plan's saved customer and card; read once from the first installment's PaymentIntent when missing. */
  private Future<String[]> card(PlanRepository.Due d) {
    if (d.customer() != null && d.paymentMethod() != null) {
      return Future.succeededFuture(new String[] {d.customer(), d.paymentMethod()});
    }
    if (d.firstIntent() == null) {
      return Future.succeededFuture(null);
    }
    return stripe.paymentIntent(d.firstIntent()).compose(pi -> {
      if (pi.getCustomer() == null || pi.getPaymentMethod() == null) {
        return Future.succeededFuture(null);
      }
      return ledgerRepo.planCard(pool, d.planId(), pi.getCustomer(), pi.getPaymentMethod())
          .map(x -> new String[] {pi.getCustomer(), pi.getPaymentMethod()});
    });
  }

  private Future<Outcome> result(UUID paymentId, PaymentIntent pi, OffsetDateTime now) {
    PaymentChange base = PaymentChange.of(PaymentChange.Action.NOTE).paymentIntent(pi.getId()).charge(pi.getLatestCharge())
        .card(pi.getCustomer(), null).build();
    return switch (pi.getStatus() == null ? "" : pi.getStatus()) {
      case "succeeded" -> settle(paymentId, PaymentChange.of(PaymentChange.Action.COMPLETE).paymentIntent(pi.getId())
          .charge(pi.getLatestCharge()).card(pi.getCustomer(), null).methodType("card").build(), now)
          .map(Outcome.CHARGED);
      // Settles later through the payment_intent.* webhook; the next run reuses this attempt.
      case "processing" -> settle(paymentId, base, now).map(Outcome.DEFERRED);
      default -> settle(paymentId, PaymentChange.of(PaymentChange.Action.FAIL).paymentIntent(pi.getId())
          .failure("the card needs the customer (status " + pi.getStatus() + ")").build(), now).map(Outcome.FAILED);
    };
  }

  /** A declined card or a refused request fails the attempt; anything else (timeout, 5xx) is retried next run. */
  private Future<Outcome> failure(UUID paymentId, Throwable t, OffsetDateTime now) {
    if (t instanceof CardException || t instanceof InvalidRequestException) {
      String intent = t instanceof CardException c && c.getStripeError() != null
          && c.getStripeError().getPaymentIntent() != null ? c.getStripeError().getPaymentIntent().getId() : null;
      PaymentChange fail = PaymentChange.of(PaymentChange.Action.FAIL).paymentIntent(intent).failure(StripeGateway.reason(t)).build();
      return settle(paymentId, fail, now).map(Outcome.FAILED);
    }
    LOG.warn("Installment payment {} deferred: {}", paymentId, StripeGateway.loggable(t));
    return Future.succeededFuture(Outcome.DEFERRED);
  }

  private Future<Ledger.Result> settle(UUID paymentId, PaymentChange change, OffsetDateTime now) {
    return pool.withTransaction((SqlConnection conn) -> ledger.apply(conn, paymentId, change, now));
  }
}
