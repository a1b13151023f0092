package dev.beacon.payments;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.UUID;

import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The per-token rate limit on checkout creation, on an app with Stripe configured (a {@link FakeStripe}): a leaked
 * payment link cannot burn the agency's Stripe rate limit, and a refused request costs no Stripe call.
 */
@Timeout(60)
class CheckoutRateLimitIT {
  private static final int LIMIT = 3;
  private static final String SESSIONS = "/v1/checkout/sessions";
  private static PaymentKit kit;

  @BeforeAll
  static void start() {
    // A window long enough that the loop below cannot straddle two, short enough to wait for.
    kit = PaymentKit.startWith(new JsonObject().put("limits", new JsonObject()
        .put("tokenRequests", LIMIT).put("tokenPeriod", "4s")));
  }

  @AfterAll
  static void stop() {
    kit.close();
  }

  private static HttpResponse<Buffer> checkout(String token) {
    return kit.http.post("/p/" + token + "/checkout", null, new JsonObject().put("option", "full"));
  }

  private static long payments(JsonObject debtor) {
    return await(kit.app.pool.preparedQuery("SELECT count(*) FROM payments WHERE debtor_id = $1")
        .execute(Tuple.of(UUID.fromString(debtor.getString("id"))))).iterator().next().getLong(0);
  }

  @Test
  @DisplayName("one token's checkouts are refused with 429 past the limit, without a Stripe call; others are not; it recovers")
  void checkoutPerToken_429WithRetryAfter_noStripeSession_otherTokenUnaffected_recovers() {
    JsonObject a = kit.debtor("500.00");
    JsonObject b = kit.debtor("500.00");
    String tokenA = a.getString("uniqueToken");

    int created = 0;
    HttpResponse<Buffer> refused = null;
    for (int i = 0; i < LIMIT + 3 && refused == null; i++) {
      HttpResponse<Buffer> r = checkout(tokenA);
      if (r.statusCode() == 429) {
        refused = r;
      } else {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(303);
        created++;
      }
    }
    assertThat(created).isEqualTo(LIMIT);
    assertThat(refused).isNotNull();
    assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(Integer.parseInt(refused.getHeader("Retry-After"))).isBetween(1, 4);
    assertThat(refused.bodyAsJsonObject().getInteger("status")).isEqualTo(429);
    // The form on the payment page gets a page with the same status and header.
    var form = await(kit.app.client.post("/p/" + tokenA + "/checkout")
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("option", "full")));
    assertThat(form.statusCode()).isEqualTo(429);
    assertThat(form.getHeader("Content-Type")).startsWith("text/html");
    assertThat(form.getHeader("Retry-After")).isNotNull();
    // Refused requests made no Stripe session and left no payment row.
    assertThat(kit.stripe.requests(SESSIONS)).hasSize(LIMIT);
    assertThat(payments(a)).isEqualTo(LIMIT);

    // Another token has its own allowance.
    assertThat(checkout(b.getString("uniqueToken")).statusCode()).isEqualTo(303);
    assertThat(kit.stripe.requests(SESSIONS)).hasSize(LIMIT + 1);

    // After the window the first token may check out again; the refusals meanwhile still cost nothing.
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
        .until(() -> checkout(tokenA).statusCode() == 303);
    assertThat(kit.stripe.requests(SESSIONS)).hasSize(LIMIT + 2);
    assertThat(payments(a)).isEqualTo(LIMIT + 1);
  }
}
