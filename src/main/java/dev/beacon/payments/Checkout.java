package dev.beacon.payments;

import dev.beacon.core.Money;
import dev.beacon.http.Problem;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Creates a checkout: the pending payment (committed first, so a Stripe session always has its row), then the
 * Stripe Checkout Session. A Stripe error or timeout leaves the payment {@code failed} with the reason and
 * answers 502.
 */
final class Checkout {
  private static final Logger LOG = LoggerFactory.getLogger(Checkout.class);

  /** The payment and the Stripe-hosted page the debtor pays on. */
  record Started(UUID paymentId, String checkoutUrl) {}

  private final PaymentRepository repo;
  private final StripeGateway stripe;

  Checkout(PaymentRepository repo, StripeGateway stripe) {
    this.repo = repo;
    this.stripe = stripe;
  }

  /** By token (the public page) or by id (an agent); exactly one of them is non-null. */
  Future<Started> start(String token, UUID debtorId, CheckoutInput in, String baseUrl) {
    return repo.create(token, debtorId, in).compose(c -> {
      String page = baseUrl + "/p/" + c.debtor().token();
      String description = c.installments() == null
          ? "Payment toward your balance"
          : "Installment 1 of " + c.installments() + " (plan for " + Money.format(c.debtor().balance()) + ")";
      var request = new StripeGateway.CheckoutRequest(c.paymentId(), c.debtor().id(), c.amount(), description,
          page + "/paid?payment=" + c.paymentId(), page + "/pay", c.planId() != null, c.debtor().email());
      return stripe.checkout(request)
          .compose(session -> repo.attachSession(c.paymentId(), session.getId(), session.getPaymentIntent())
              .map(x -> new Started(c.paymentId(), session.getUrl())))
          .recover(t -> {
            String reason = StripeGateway.reason(t);
            LOG.warn("Checkout for payment {} failed: {}", c.paymentId(), StripeGateway.loggable(t));
            return repo.markFailed(c.paymentId(), c.planId(), reason)
                .transform(x -> Future.failedFuture(Problem.badGateway(
                    "The payment provider did not accept the checkout; please try again later")));
          });
    });
  }
}
