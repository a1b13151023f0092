package dev.beacon.payments;

import com.stripe.model.Event;
import com.stripe.net.ApiResource;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class StripeEventsTest {
  private static StripeEvents.Parsed parse(String payload) throws Exception {
    return StripeEvents.parse(ApiResource.GSON.fromJson(payload, Event.class));
  }

  @Test
  @DisplayName("a completed but unpaid session (delayed method) only records ids; a paid one completes")
  void sessionCompleted_dependsOnPaymentStatus() throws Exception {
    UUID id = UUID.randomUUID();
    var unpaid = parse(PaymentKit.event("evt_1", "checkout.session.completed", PaymentKit.session(id, "cs_1", "pi_1", "unpaid")));
    assertThat(unpaid.change().action()).isEqualTo(PaymentChange.Action.NOTE);
    assertThat(unpaid.target().paymentId()).isEqualTo(id);
    var paid = parse(PaymentKit.event("evt_2", "checkout.session.completed", PaymentKit.session(id, "cs_1", "pi_1", "paid")));
    assertThat(paid.change().action()).isEqualTo(PaymentChange.Action.COMPLETE);
    assertThat(paid.change().paymentIntentId()).isEqualTo("pi_1");
    assertThat(paid.change().customerId()).isEqualTo("cus_1");
  }

  @Test
  @DisplayName("without metadata the session's client_reference_id names the payment")
  void clientReferenceId_fallback() throws Exception {
    UUID id = UUID.randomUUID();
    JsonObject s = PaymentKit.session(id, "cs_1", null, "paid").put("metadata", new JsonObject());
    assertThat(parse(PaymentKit.event("evt_3", "checkout.session.expired", s)).target().paymentId()).isEqualTo(id);
  }

  @Test
  @DisplayName("charge.refunded carries the cumulative refunded amount in currency units")
  void refund_amountFromCents() throws Exception {
    var p = parse(PaymentKit.event("evt_4", "charge.refunded", PaymentKit.charge("ch_1", "pi_1", 10050, 2525)));
    assertThat(p.change().action()).isEqualTo(PaymentChange.Action.REFUND);
    assertThat(p.change().refundedTotal()).isEqualByComparingTo("25.25");
    assertThat(p.target().paymentIntentId()).isEqualTo("pi_1");
    assertThat(p.target().chargeId()).isEqualTo("ch_1");
  }

  @Test
  @DisplayName("types Beacon does not handle parse to nothing")
  void otherTypes_null() throws Exception {
    assertThat(parse(PaymentKit.event("evt_5", "invoice.paid", new JsonObject().put("id", "in_1").put("object", "invoice"))))
        .isNull();
  }
}
