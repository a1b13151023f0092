package dev.beacon.payments;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.PaymentIntent;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import dev.beacon.config.BeaconConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.math.BigDecimal;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Beacon's Stripe calls. stripe-java blocks, so every call runs on the named worker pool {@value #POOL} and
 * gives up after {@code payments.stripeTimeout}; the HTTP read timeout is the same, so a slow Stripe never
 * holds a worker much longer than the caller waits.
 */
final class StripeGateway {
  static final String POOL = "stripe";
  static final int POOL_SIZE = 8;

  /** One Checkout Session: the payment it pays, its amount and where Stripe sends the debtor back to. */
  record CheckoutRequest(UUID paymentId, UUID debtorId, BigDecimal amount, String description, String successUrl,
                         String cancelUrl, boolean saveCard, String email) {}

  /** One off-session installment charge with a saved card. */
  record Charge(UUID paymentId, UUID debtorId, UUID planId, int installment, BigDecimal amount, String customer,
                String paymentMethod) {}

  private final StripeClient client;
  private final WorkerExecutor workers;
  private final String currency;
  private final long timeoutMs;

  StripeGateway(Vertx vertx, BeaconConfig.Payments config) {
    this.timeoutMs = Math.max(1, config.stripeTimeout().toMillis());
    int httpTimeout = (int) Math.min(Integer.MAX_VALUE, timeoutMs);
    this.client = StripeClient.builder()
        .setApiKey(config.stripeApiKey())
        .setApiBase(config.stripeApiBase())
        .setConnectTimeout(httpTimeout)
        .setReadTimeout(httpTimeout)
        .setMaxNetworkRetries(0)
        .build();
    this.workers = vertx.createSharedWorkerExecutor(POOL, POOL_SIZE);
    this.currency = config.currency();
  }

  Future<Session> checkout(CheckoutRequest r) {
    SessionCreateParams.PaymentIntentData.Builder intent = SessionCreateParams.PaymentIntentData.builder()
        .putMetadata(Metadata.PAYMENT_ID, r.paymentId().toString())
        .putMetadata(Metadata.DEBTOR_ID, r.debtorId().toString());
    SessionCreateParams.Builder p = SessionCreateParams.builder()
        .setMode(SessionCreateParams.Mode.PAYMENT)
        .addLineItem(SessionCreateParams.LineItem.builder()
            .setQuantity(1L)
            .setPriceData(SessionCreateParams.LineItem.PriceData.builder()
                .setCurrency(currency)
                .setUnitAmount(Amounts.cents(r.amount()))
                .setProductData(SessionCreateParams.LineItem.PriceData.ProductData.builder()
                    .setName(r.description()).build())
                .build())
            .build())
        .setClientReferenceId(r.paymentId().toString())
        .putMetadata(Metadata.PAYMENT_ID, r.paymentId().toString())
        .putMetadata(Metadata.DEBTOR_ID, r.debtorId().toString())
        .setSuccessUrl(r.successUrl())
        .setCancelUrl(r.cancelUrl());
    if (r.email() != null) {
      p.setCustomerEmail(r.email());
    }
    if (r.saveCard()) {
      // The plan's later installments are charged off-session with the card saved here.
      intent.setSetupFutureUsage(SessionCreateParams.PaymentIntentData.SetupFutureUsage.OFF_SESSION);
      p.setCustomerCreation(SessionCreateParams.CustomerCreation.ALWAYS);
    }
    SessionCreateParams params = p.setPaymentIntentData(intent.build()).build();
    RequestOptions options = RequestOptions.builder().setIdempotencyKey(r.paymentId().toString()).build();
    return call(() -> client.v1().checkout().sessions().create(params, options));
  }

  /** Charges a saved card; the idempotency key is the installment attempt's payment id. */
  Future<PaymentIntent> charge(Charge c) {
    PaymentIntentCreateParams params = PaymentIntentCreateParams.builder()
        .setAmount(Amounts.cents(c.amount()))
        .setCurrency(currency)
        .setCustomer(c.customer())
        .setPaymentMethod(c.paymentMethod())
        .setConfirm(true)
        .setOffSession(true)
        .putMetadata(Metadata.PAYMENT_ID, c.paymentId().toString())
        .putMetadata(Metadata.DEBTOR_ID, c.debtorId().toString())
        .putMetadata(Metadata.PLAN_ID, c.planId().toString())
        .putMetadata(Metadata.INSTALLMENT, Integer.toString(c.installment()))
        .build();
    RequestOptions options = RequestOptions.builder().setIdempotencyKey(c.paymentId().toString()).build();
    return call(() -> client.v1().paymentIntents().create(params, options));
  }

  Future<PaymentIntent> paymentIntent(String id) {
    return call(() -> client.v1().paymentIntents().retrieve(id));
  }

  private <T> Future<T> call(Callable<T> work) {
    return workers.executeBlocking(work, false).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /**
   * A short reason for a failed call, kept on the payment for agents: Stripe's message and code, or the
   * exception's kind. Not for the log: Stripe's message may quote what it refused, e.g. "Invalid email address:
   * ann@example" for the debtor's email; log {@link #loggable} instead.
   */
  static String reason(Throwable t) {
    if (t instanceof StripeException s) {
      String code = s.getCode() == null ? "" : " (" + s.getCode() + ")";
      String message = s.getStripeError() != null && s.getStripeError().getMessage() != null
          ? s.getStripeError().getMessage() : s.getClass().getSimpleName();
      return "stripe: " + message + code;
    }
    if (t instanceof TimeoutException) {
      return "stripe: no answer within the timeout";
    }
    return "stripe: " + (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
  }

  /**
   * A failed call for the log: the Stripe error's kind, code, HTTP status and request id (enough to find it in
   * Stripe's dashboard), never its message, which may hold the debtor's data; other failures as they are.
   */
  static String loggable(Throwable t) {
    if (t instanceof StripeException s) {
      return "stripe: " + s.getClass().getSimpleName() + (s.getCode() == null ? "" : " (" + s.getCode() + ")")
          + (s.getStatusCode() == null ? "" : ", status " + s.getStatusCode())
          + (s.getRequestId() == null ? "" : ", request " + s.getRequestId());
    }
    if (t instanceof TimeoutException) {
      return "stripe: no answer within the timeout";
    }
    return t.toString();
  }

  void close() {
    workers.close();
  }
}
