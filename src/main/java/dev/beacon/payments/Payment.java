package dev.beacon.payments;

import dev.beacon.core.Money;
import dev.beacon.http.Times;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One row of {@code payments}. */
record Payment(UUID id, UUID debtorId, BigDecimal amount, String paymentType, String status, String paymentMethod,
               String source, String stripeSessionId, String stripePaymentIntentId, String failureReason,
               BigDecimal amountRefunded, UUID planId, Integer installment, int paymentPageVisits,
               int paymentLinkClicks, OffsetDateTime createdAt, OffsetDateTime completedAt,
               OffsetDateTime refundedAt) {

  static Payment from(Row r) {
    return new Payment(r.getUUID("id"), r.getUUID("debtor_id"), r.getBigDecimal("amount"),
        r.getString("payment_type"), r.getString("status"), r.getString("payment_method"), r.getString("source"),
        r.getString("stripe_session_id"), r.getString("stripe_payment_intent_id"), r.getString("failure_reason"),
        r.getBigDecimal("amount_refunded"), r.getUUID("plan_id"), r.getInteger("installment"),
        r.getInteger("payment_page_visits"), r.getInteger("payment_link_clicks"),
        r.getOffsetDateTime("created_at"), r.getOffsetDateTime("completed_at"), r.getOffsetDateTime("refunded_at"));
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("debtorId", debtorId.toString())
        .put("amount", Money.format(amount))
        .put("paymentType", paymentType)
        .put("status", status)
        .put("paymentMethod", paymentMethod)
        .put("source", source)
        .put("amountRefunded", Money.format(amountRefunded))
        .put("failureReason", failureReason)
        .put("stripeSessionId", stripeSessionId)
        .put("stripePaymentIntentId", stripePaymentIntentId)
        .put("planId", planId == null ? null : planId.toString())
        .put("installment", installment)
        .put("paymentPageVisits", paymentPageVisits)
        .put("paymentLinkClicks", paymentLinkClicks)
        .put("createdAt", Times.format(createdAt))
        .put("completedAt", Times.format(completedAt))
        .put("refundedAt", Times.format(refundedAt));
  }
}
