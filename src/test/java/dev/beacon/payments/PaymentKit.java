package dev.beacon.payments;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.param.checkout.SessionCreateParams;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/** A payments-enabled app wired to a {@link FakeStripe}, with helpers to make debtors, checkouts and events. */
final class PaymentKit implements AutoCloseable {
  static final String SECRET = "whsec_test";
  static final String API_VERSION = "2026-07-29.dahlia";

  final FakeStripe stripe;
  final TestApp app;
  final Http http;

  private PaymentKit(JsonObject extraPayments, JsonObject extraConfig) {
    stripe = new FakeStripe();
    JsonObject payments = new JsonObject().put("stripeApiKey", "sk_test_x").put("stripeWebhookSecret", SECRET)
        .put("stripeApiBase", stripe.apiBase()).put("stripeTimeout", "1s").mergeIn(extraPayments);
    app = TestApp.start(extraConfig.copy().put("payments", payments));
    http = new Http(app);
    warmUp();
  }

  /**
   * stripe-java's first call loads and reflects over many classes, which can take longer than the tests' 1 s
   * Stripe timeout on a busy machine; one untimed call from the test thread does that work up front.
   */
  private void warmUp() {
    try {
      var client = StripeClient.builder().setApiKey("sk_test_x").setApiBase(stripe.apiBase()).build();
      client.v1().checkout().sessions().create(SessionCreateParams.builder()
          .setMode(SessionCreateParams.Mode.PAYMENT)
          .addLineItem(SessionCreateParams.LineItem.builder().setQuantity(1L)
              .setPriceData(SessionCreateParams.LineItem.PriceData.builder()
                  .setCurrency("usd").setUnitAmount(100L)
                  .setProductData(SessionCreateParams.LineItem.PriceData.ProductData
                      .builder().setName("warm-up").build()).build()).build())
          .putMetadata("payment_id", "warm-up").putMetadata("debtor_id", "warm-up").build());
      client.v1().paymentIntents().retrieve("pi_warm_up");
    } catch (StripeException e) {
      throw new IllegalStateException(e);
    }
    stripe.reset();
  }

  static PaymentKit start() {
    return new PaymentKit(new JsonObject(), new JsonObject());
  }

  static PaymentKit start(JsonObject extraPayments) {
    return new PaymentKit(extraPayments, new JsonObject());
  }

  /** A kit whose app also takes these overrides outside {@code payments} (e.g. {@code limits}). */
  static PaymentKit startWith(JsonObject extraConfig) {
    return new PaymentKit(new JsonObject(), extraConfig);
  }

  /**
   * A kit for one test class ({@code @RegisterExtension static final}): started before its first test and handed
   * to {@code onStart} (which keeps it in the class's static field), the fake's recordings cleared before each
   * test, closed after the last.
   */
  static PerClass perClass(JsonObject extraPayments, Consumer<PaymentKit> onStart) {
    return new PerClass(extraPayments, onStart);
  }

  static PerClass perClass(Consumer<PaymentKit> onStart) {
    return perClass(new JsonObject(), onStart);
  }

  static final class PerClass implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private final JsonObject extraPayments;
    private final Consumer<PaymentKit> onStart;
    private PaymentKit kit;

    private PerClass(JsonObject extraPayments, Consumer<PaymentKit> onStart) {
      this.extraPayments = extraPayments;
      this.onStart = onStart;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
      kit = start(extraPayments);
      onStart.accept(kit);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
      kit.stripe.reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
      kit.close();
    }
  }

  /** A debtor owing {@code totalOwed}; answers the API's debtor JSON (id, uniqueToken, ...). */
  JsonObject debtor(String totalOwed) {
    String email = "d" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    var r = http.post("/api/debtors", AGENT_KEY, new JsonObject().put("firstName", "Ann").put("lastName", "Lee")
        .put("email", email).put("state", "TX").put("totalOwed", totalOwed));
    assertThat(r.statusCode()).isEqualTo(201);
    return r.bodyAsJsonObject();
  }

  /** An agent checkout; answers the payment id. */
  UUID checkout(JsonObject debtor, JsonObject body) {
    var r = http.post("/api/debtors/" + debtor.getString("id") + "/payments/checkout", AGENT_KEY, body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return UUID.fromString(r.bodyAsJsonObject().getString("paymentId"));
  }

  /** An agent checkout of {@code body}, then paid: its PaymentIntent succeeded ({@code evt_<name>_<payment id>}). */
  UUID paidCheckout(JsonObject debtor, JsonObject body, String name) {
    UUID id = checkout(debtor, body);
    ok(event("evt_" + name + "_" + id, "payment_intent.succeeded", intent(id, "pi_" + name + "_" + id, "succeeded")));
    return id;
  }

  UUID checkoutFull(JsonObject debtor) {
    return checkout(debtor, new JsonObject().put("option", "full"));
  }

  JsonObject payment(UUID id) {
    Row r = await(app.pool.preparedQuery("SELECT * FROM payments WHERE id = $1").execute(Tuple.of(id)))
        .iterator().next();
    return r.toJson();
  }

  /** The one payment row there is (status and failure reason). */
  Row onlyPayment() {
    return await(app.pool.query("SELECT status, failure_reason FROM payments").execute()).iterator().next();
  }

  /** The one payment there is failed, with a failure reason that passes {@code reason}. */
  void assertOnlyPaymentFailed(Consumer<String> reason) {
    Row row = onlyPayment();
    assertThat(row.getString("status")).isEqualTo("failed");
    reason.accept(row.getString("failure_reason"));
  }

  JsonObject debtorRow(String id) {
    return await(app.pool.preparedQuery("SELECT * FROM debtors WHERE id = $1").execute(Tuple.of(UUID.fromString(id))))
        .iterator().next().toJson();
  }

  String amountPaid(JsonObject debtor) {
    return debtorRow(debtor.getString("id")).getValue("amount_paid").toString();
  }

  String status(JsonObject debtor) {
    return debtorRow(debtor.getString("id")).getString("status");
  }

  long count(String sql) {
    return await(app.pool.query(sql).execute()).iterator().next().getLong(0);
  }

  // ---- events

  static String event(String id, String type, JsonObject object) {
    return event(id, type, object, API_VERSION);
  }

  static String event(String id, String type, JsonObject object, String apiVersion) {
    return new JsonObject().put("id", id).put("object", "event").put("api_version", apiVersion)
        .put("created", System.currentTimeMillis() / 1000).put("type", type).put("livemode", false)
        .put("pending_webhooks", 1).put("data", new JsonObject().put("object", object)).encode();
  }

  static JsonObject session(UUID paymentId, String sessionId, String paymentIntent, String paymentStatus) {
    return new JsonObject().put("id", sessionId).put("object", "checkout.session").put("mode", "payment")
        .put("payment_status", paymentStatus).put("status", "complete").put("payment_intent", paymentIntent)
        .put("client_reference_id", paymentId.toString()).put("customer", "cus_1")
        .put("payment_method_types", List.of("card"))
        .put("metadata", new JsonObject().put("payment_id", paymentId.toString()));
  }

  static JsonObject intent(UUID paymentId, String id, String status) {
    return new JsonObject().put("id", id).put("object", "payment_intent").put("status", status)
        .put("customer", "cus_1").put("payment_method", "pm_1").put("latest_charge", "ch_" + id)
        .put("payment_method_types", List.of("card"))
        .put("metadata", paymentId == null ? new JsonObject() : new JsonObject().put("payment_id", paymentId.toString()));
  }

  static JsonObject charge(String chargeId, String paymentIntent, long amount, long refunded) {
    return new JsonObject().put("id", chargeId).put("object", "charge").put("payment_intent", paymentIntent)
        .put("amount", amount).put("amount_refunded", refunded).put("refunded", refunded >= amount)
        .put("payment_method_details", new JsonObject().put("type", "card")).put("metadata", new JsonObject());
  }

  static JsonObject dispute(String chargeId, String paymentIntent) {
    return new JsonObject().put("id", "dp_" + chargeId).put("object", "dispute").put("charge", chargeId)
        .put("payment_intent", paymentIntent).put("status", "needs_response").put("metadata", new JsonObject());
  }

  /** A closed dispute of the charge: {@code status} lost or won, for {@code amount} cents. */
  static JsonObject disputeClosed(String chargeId, String paymentIntent, String status, long amount) {
    return dispute(chargeId, paymentIntent).put("status", status).put("amount", amount);
  }

  /** A PaymentIntent whose last attempt failed with {@code code} and {@code message}. */
  static JsonObject failedIntent(UUID paymentId, String id, String code, String message) {
    return intent(paymentId, id, "requires_payment_method")
        .put("last_payment_error", new JsonObject().put("code", code).put("message", message));
  }

  static String sign(String payload, long timestamp, String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] sig = mac.doFinal((timestamp + "." + payload).getBytes(StandardCharsets.UTF_8));
      return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(sig);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<Buffer> deliver(String payload) {
    return deliver(payload, signedNow(payload));
  }

  HttpResponse<Buffer> deliver(String payload, String signature) {
    return await(send(payload, signature));
  }

  /** The webhook request Stripe makes: the payload signed with {@code signature}; the answer when it comes. */
  Future<HttpResponse<Buffer>> send(String payload, String signature) {
    return app.client.post("/webhooks/stripe").putHeader("Stripe-Signature", signature)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(payload));
  }

  /** The payload signed now with the webhook secret, as Stripe signs it. */
  static String signedNow(String payload) {
    return sign(payload, System.currentTimeMillis() / 1000, SECRET);
  }

  /** Delivers and asserts Stripe gets a 2xx. */
  void ok(String payload) {
    var r = deliver(payload);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
  }

  /** A plan job over this app's pool and the fake Stripe, for driving runs by hand. */
  PlanJob planJob() {
    var config = app.services.config().payments();
    return new PlanJob(app.pool, new StripeGateway(app.vertx, config), new Ledger(config.planRetrySchedule()));
  }

  static Duration days(int n) {
    return Duration.ofDays(n);
  }

  @Override
  public void close() {
    app.close();
    stripe.close();
  }
}
