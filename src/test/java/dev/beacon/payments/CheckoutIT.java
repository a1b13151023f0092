package dev.beacon.payments;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(BeaconExtension.class)
@Timeout(60)
class CheckoutIT {
  static PaymentKit kit;
  @RegisterExtension
  static final PaymentKit.PerClass KIT = PaymentKit.perClass(k -> kit = k);

  private static HttpResponse<Buffer> form(String token, MultiMap form) {
    return await(kit.app.client.post("/p/" + token + "/checkout").sendForm(form));
  }

  @Test
  @DisplayName("the payment page's form creates a pending full payment and a Checkout Session, then redirects (303)")
  void publicCheckout_full_redirectsToStripe() {
    JsonObject d = kit.debtor("1250.50");
    String token = d.getString("uniqueToken");
    var r = form(token, MultiMap.caseInsensitiveMultiMap().add("option", "full"));

    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.getHeader("Location")).startsWith("https://checkout.stripe.test/c/pay/cs_test_");
    FakeStripe.Request req = kit.stripe.last("/v1/checkout/sessions");
    assertThat(req).isNotNull();
    String paymentId = req.field("client_reference_id");
    JsonObject p = kit.payment(UUID.fromString(paymentId));
    assertThat(p.getString("status")).isEqualTo("pending");
    assertThat(p.getString("payment_type")).isEqualTo("full");
    assertThat(p.getValue("amount").toString()).isEqualTo("1250.50");
    assertThat(p.getString("stripe_session_id")).isEqualTo(r.getHeader("Location").substring(r.getHeader("Location").lastIndexOf('/') + 1));

    assertThat(req.field("mode")).isEqualTo("payment");
    assertThat(req.field("line_items[0][price_data][unit_amount]")).isEqualTo("125050");
    assertThat(req.field("line_items[0][price_data][currency]")).isEqualTo("usd");
    assertThat(req.field("line_items[0][quantity]")).isEqualTo("1");
    assertThat(req.field("metadata[payment_id]")).isEqualTo(paymentId);
    assertThat(req.field("metadata[debtor_id]")).isEqualTo(d.getString("id"));
    assertThat(req.field("payment_intent_data[metadata][payment_id]")).isEqualTo(paymentId);
    assertThat(req.field("payment_intent_data[setup_future_usage]")).isNull();
    assertThat(req.field("success_url")).isEqualTo(kit.app.baseUrl() + "/p/" + token + "/paid?payment=" + paymentId);
    assertThat(req.field("cancel_url")).isEqualTo(kit.app.baseUrl() + "/p/" + token + "/pay");
    assertThat(req.idempotencyKey()).isEqualTo(paymentId);
    assertThat(req.headers().get("Authorization")).isEqualTo("Bearer sk_test_x");
  }

  @Test
  @DisplayName("a partial payment takes the given amount within [minPartial, balance]")
  void partial_amountRules() {
    JsonObject d = kit.debtor("300.00");
    String path = "/api/debtors/" + d.getString("id") + "/payments/checkout";
    var low = kit.http.post(path, AGENT_KEY, new JsonObject().put("option", "partial").put("amount", "24.99"));
    assertThat(low.statusCode()).isEqualTo(400);
    assertThat(low.bodyAsString()).contains("amount");
    var high = kit.http.post(path, AGENT_KEY, new JsonObject().put("option", "partial").put("amount", "300.01"));
    assertThat(high.statusCode()).isEqualTo(400);
    var missing = kit.http.post(path, AGENT_KEY, new JsonObject().put("option", "partial"));
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(kit.stripe.requests("/v1/checkout/sessions")).isEmpty();

    UUID id = kit.checkout(d, new JsonObject().put("option", "partial").put("amount", "25.00"));
    assertThat(kit.payment(id).getString("payment_type")).isEqualTo("partial");
    assertThat(kit.stripe.last("/v1/checkout/sessions").field("line_items[0][price_data][unit_amount]")).isEqualTo("2500");
  }

  @Test
  @DisplayName("a form post with option=partial and an amount works like JSON")
  void publicCheckout_partialForm() {
    JsonObject d = kit.debtor("300.00");
    var r = form(d.getString("uniqueToken"), MultiMap.caseInsensitiveMultiMap().add("option", "partial")
        .add("amount", "40.50").add("installments", ""));
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(kit.stripe.last("/v1/checkout/sessions").field("line_items[0][price_data][unit_amount]")).isEqualTo("4050");
  }

  @Test
  @DisplayName("a plan saves the card (setup_future_usage=off_session), charges installment 1 and stores the schedule")
  void plan_firstInstallmentSavesCard() {
    JsonObject d = kit.debtor("1000.00");
    UUID id = kit.checkout(d, new JsonObject().put("option", "plan").put("installments", 3));
    FakeStripe.Request req = kit.stripe.last("/v1/checkout/sessions");
    assertThat(req.field("payment_intent_data[setup_future_usage]")).isEqualTo("off_session");
    assertThat(req.field("customer_creation")).isEqualTo("always");
    assertThat(req.field("line_items[0][price_data][unit_amount]")).isEqualTo("33333");
    JsonObject p = kit.payment(id);
    assertThat(p.getString("payment_type")).isEqualTo("plan");
    assertThat(p.getInteger("installment")).isEqualTo(1);
    var plan = await(kit.app.pool.preparedQuery("SELECT * FROM payment_plans WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(p.getString("plan_id"))))).iterator().next();
    assertThat(plan.getInteger("installments")).isEqualTo(3);
    assertThat(plan.getBigDecimal("total_amount")).isEqualByComparingTo("1000.00");
    assertThat(plan.getBigDecimal("installment_amount")).isEqualByComparingTo("333.33");
    assertThat(plan.getString("status")).isEqualTo("pending");

    var bad = kit.http.post("/api/debtors/" + d.getString("id") + "/payments/checkout", AGENT_KEY,
        new JsonObject().put("option", "plan").put("installments", 13));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsString()).contains("installments");
  }

  @Test
  @DisplayName("nothing is created for a resolved debtor or a zero balance (409)")
  void resolvedOrZeroBalance_conflict() {
    JsonObject d = kit.debtor("100.00");
    kit.http.patch("/api/debtors/" + d.getString("id"), AGENT_KEY, new JsonObject().put("amountPaid", "100.00"));
    var zero = kit.http.post("/api/debtors/" + d.getString("id") + "/payments/checkout", AGENT_KEY,
        new JsonObject().put("option", "full"));
    assertThat(zero.statusCode()).isEqualTo(409);

    JsonObject e = kit.debtor("100.00");
    kit.http.patch("/api/debtors/" + e.getString("id"), AGENT_KEY, new JsonObject().put("status", "resolved"));
    var resolved = form(e.getString("uniqueToken"), MultiMap.caseInsensitiveMultiMap().add("option", "full"));
    assertThat(resolved.statusCode()).isEqualTo(409);
    assertThat(kit.count("SELECT count(*) FROM payments")).isZero();
    assertThat(kit.stripe.all()).isEmpty();
  }

  @Test
  @DisplayName("an unknown or malformed token gets the same plain 404 page, and nothing is created")
  void unknownToken_plain404() {
    var unknown = form("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", MultiMap.caseInsensitiveMultiMap().add("option", "full"));
    var malformed = form("nope", MultiMap.caseInsensitiveMultiMap().add("option", "full"));
    for (var r : List.of(unknown, malformed)) {
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.getHeader("Content-Type")).startsWith("text/html");
      assertThat(r.bodyAsString()).doesNotContain("debtor").doesNotContain("token");
    }
    assertThat(unknown.bodyAsString()).isEqualTo(malformed.bodyAsString());
    assertThat(kit.stripe.all()).isEmpty();
  }

  @Test
  @DisplayName("a Stripe error leaves the payment failed with the reason and answers 502")
  void stripeError_failedAnd502() {
    JsonObject d = kit.debtor("200.00");
    kit.stripe.script("/v1/checkout/sessions", FakeStripe.error(400, "invalid_request_error", "parameter_invalid",
        "Invalid currency"));
    var r = kit.http.post("/api/debtors/" + d.getString("id") + "/payments/checkout", AGENT_KEY,
        new JsonObject().put("option", "full"));
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    kit.assertOnlyPaymentFailed(reason -> assertThat(reason).contains("Invalid currency"));
  }

  @Test
  @DisplayName("Stripe refusing the debtor's email: the payment keeps Stripe's reason, the log line names only its kind, code and request")
  void stripeError_quotingTheEmail_staysOutOfTheLog() {
    JsonObject d = kit.debtor("200.00");
    String email = d.getString("email");
    kit.stripe.script("/v1/checkout/sessions", FakeStripe.error(400, "invalid_request_error", "email_invalid",
        "Invalid email address: " + email));
    var log = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    log.start();
    root.addAppender(log);
    try {
      var r = form(d.getString("uniqueToken"), MultiMap.caseInsensitiveMultiMap().add("option", "full"));
      assertThat(r.statusCode()).isEqualTo(502);
    } finally {
      root.detachAppender(log);
      log.stop();
    }
    assertThat(kit.onlyPayment().getString("failure_reason")).contains(email);
    assertThat(log.list).anyMatch(e -> e.getFormattedMessage().startsWith("Checkout for payment ")
        && e.getFormattedMessage().contains("email_invalid"));
    assertThat(log.list).noneMatch(e -> e.getFormattedMessage().contains(email)
        || e.getThrowableProxy() != null && String.valueOf(e.getThrowableProxy().getMessage()).contains(email));
  }

  @Test
  @DisplayName("a Stripe that does not answer in time fails the payment (502) instead of hanging")
  void stripeSlow_timesOut() {
    JsonObject d = kit.debtor("200.00");
    kit.stripe.script("/v1/checkout/sessions", FakeStripe.slow(5000));
    long start = System.nanoTime();
    var r = form(d.getString("uniqueToken"), MultiMap.caseInsensitiveMultiMap().add("option", "full"));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(ms).isLessThan(4000);
    kit.assertOnlyPaymentFailed(reason -> assertThat(reason).startsWith("stripe:"));
  }

  @Test
  @DisplayName("agent checkout answers 201 {paymentId, checkoutUrl}; a viewer may not start one")
  void agentCheckout_answersIds() {
    JsonObject d = kit.debtor("80.00");
    var r = kit.http.post("/api/debtors/" + d.getString("id") + "/payments/checkout", AGENT_KEY,
        new JsonObject().put("option", "full"));
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.bodyAsJsonObject().getString("checkoutUrl")).startsWith("https://checkout.stripe.test/");
    assertThat(kit.payment(UUID.fromString(r.bodyAsJsonObject().getString("paymentId"))).getString("status"))
        .isEqualTo("pending");
    var viewer = kit.http.post("/api/debtors/" + d.getString("id") + "/payments/checkout", VIEWER_KEY,
        new JsonObject().put("option", "full"));
    assertThat(viewer.statusCode()).isEqualTo(403);
    var unknown = kit.http.post("/api/debtors/" + UUID.randomUUID() + "/payments/checkout", AGENT_KEY,
        new JsonObject().put("option", "full"));
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("attribution counts payment page visits and payment-link clicks since the previous completed payment")
  void attribution_countsSincePreviousPayment() {
    JsonObject d = kit.debtor("500.00");
    UUID debtorId = UUID.fromString(d.getString("id"));
    OffsetDateTime now = OffsetDateTime.now();
    String visit = "INSERT INTO page_views (debtor_id, page_type, \"timestamp\") VALUES ($1, $2, $3)";
    String click = "INSERT INTO email_events (debtor_id, kind, occurred_at, label, reason, url) "
        + "VALUES ($1, 'click', $2, $3, 'test', $4)";
    await(kit.app.pool.preparedQuery(visit).execute(Tuple.of(debtorId, "payment", now.minusDays(10))));
    await(kit.app.pool.preparedQuery(visit).execute(Tuple.of(debtorId, "payment", now.minusDays(2))));
    await(kit.app.pool.preparedQuery(visit).execute(Tuple.of(debtorId, "landing", now.minusDays(2))));
    await(kit.app.pool.preparedQuery(click).execute(Tuple.of(debtorId, now.minusDays(1), "human",
        "https://x.test/p/" + d.getString("uniqueToken") + "/pay")));
    await(kit.app.pool.preparedQuery(click).execute(Tuple.of(debtorId, now.minusDays(1), "scanner",
        "https://x.test/p/" + d.getString("uniqueToken") + "/pay")));
    // A payment completed five days ago: only what came after it counts.
    await(kit.app.pool.preparedQuery("INSERT INTO payments (debtor_id, amount, status, created_at, completed_at) "
        + "VALUES ($1, 10, 'completed', $2, $2)").execute(Tuple.of(debtorId, now.minusDays(5))));

    UUID id = kit.checkout(d, new JsonObject().put("option", "partial").put("amount", "50.00"));
    JsonObject p = kit.payment(id);
    assertThat(p.getInteger("payment_page_visits")).isEqualTo(1);
    assertThat(p.getInteger("payment_link_clicks")).isEqualTo(1);
  }

  @Test
  @DisplayName("a refused form gets a page that names the problem and leads back; JSON clients get the problem")
  void refusedForm_getsAPage() {
    JsonObject d = kit.debtor("300.00");
    String token = d.getString("uniqueToken");
    var r = form(token, MultiMap.caseInsensitiveMultiMap().add("option", "partial").add("amount", "1.00"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.getHeader("Content-Type")).startsWith("text/html");
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(r.getHeader("Content-Security-Policy")).contains("default-src 'none'");
    assertThat(r.bodyAsString()).contains("The amount", "Nothing was charged", "href=\"/p/" + token + "/pay\"");
    assertThat(r.getHeader("Location")).isNull();
    var json = await(kit.app.client.post("/p/" + token + "/checkout")
        .sendJsonObject(new JsonObject().put("option", "partial").put("amount", "1.00")));
    assertThat(json.statusCode()).isEqualTo(400);
    assertThat(json.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(json.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("amount");
    assertThat(kit.stripe.requests("/v1/checkout/sessions")).isEmpty();
    long payments = await(kit.app.pool.preparedQuery("SELECT count(*) FROM payments WHERE debtor_id = $1")
        .execute(Tuple.of(UUID.fromString(d.getString("id"))))).iterator().next().getLong(0);
    assertThat(payments).isZero();
  }

  @Test
  @DisplayName("without Stripe configuration Beacon runs; checkout and the webhook answer 503 'payments are not configured'")
  void notConfigured_503(TestApp plain) {
    var d = new Http(plain).post("/api/debtors", AGENT_KEY, new JsonObject().put("firstName", "A").put("lastName", "B")
        .put("totalOwed", "10.00")).bodyAsJsonObject();
    var r = await(plain.client.post("/p/" + d.getString("uniqueToken") + "/checkout")
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("option", "full")));
    assertThat(r.statusCode()).isEqualTo(503);
    // The payment page's form gets a page; a JSON client the problem.
    assertThat(r.getHeader("Content-Type")).startsWith("text/html");
    assertThat(r.getHeader("Retry-After")).isEqualTo("3600");
    assertThat(r.bodyAsString()).contains("payments are not configured", "/p/" + d.getString("uniqueToken") + "/pay");
    var json = await(plain.client.post("/p/" + d.getString("uniqueToken") + "/checkout")
        .sendJsonObject(new JsonObject().put("option", "full")));
    assertThat(json.statusCode()).isEqualTo(503);
    assertThat(json.bodyAsJsonObject().getString("detail")).isEqualTo("payments are not configured");
    var api = new Http(plain).post("/api/debtors/" + d.getString("id") + "/payments/checkout", AGENT_KEY,
        new JsonObject().put("option", "full"));
    assertThat(api.statusCode()).isEqualTo(503);
    var hook = await(plain.client.post("/webhooks/stripe").sendBuffer(Buffer.buffer("{}")));
    assertThat(hook.statusCode()).isEqualTo(503);
  }
}
