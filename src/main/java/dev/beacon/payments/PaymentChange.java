package dev.beacon.payments;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;

/**
 * What one Stripe event (or one off-session charge result) says about a payment: an action and the Stripe ids
 * it carries. Any id may be null; known ids are kept.
 */
record PaymentChange(Action action, String sessionId, String paymentIntentId, String chargeId, String customerId,
                     String paymentMethodId, String paymentMethodType, String failureReason,
                     BigDecimal refundedTotal) {

  /**
   * The effect on the payment's state. DECLINED is a failed PaymentIntent attempt: final for an off-session
   * installment, but not for a Checkout Session, where the debtor may still try another card (the session's
   * own expiry or async failure ends it). DISPUTE_LOST carries the disputed amount in {@code refundedTotal}.
   */
  enum Action { COMPLETE, FAIL, DECLINED, EXPIRE, REFUND, DISPUTE, DISPUTE_WON, DISPUTE_LOST, NOTE }

  /** A change with this action; the ids and amounts it carries are set on the builder. */
  static Builder of(Action action) {
    return new Builder(action);
  }

  /** Builds a change field by field; a field not set stays null. */
  static final class Builder {
    private final Action action;
    private String sessionId;
    private String paymentIntentId;
    private String chargeId;
    private String customerId;
    private String paymentMethodId;
    private String paymentMethodType;
    private String failureReason;
    private BigDecimal refundedTotal;

    private Builder(Action action) {
      this.action = action;
    }

    Builder session(String id) {
      sessionId = id;
      return this;
    }

    Builder paymentIntent(String id) {
      paymentIntentId = id;
      return this;
    }

    Builder charge(String id) {
      chargeId = id;
      return this;
    }

    Builder card(String customer, String paymentMethod) {
      customerId = customer;
      paymentMethodId = paymentMethod;
      return this;
    }

    Builder methodType(String type) {
      paymentMethodType = type;
      return this;
    }

    Builder failure(String reason) {
      failureReason = reason;
      return this;
    }

    Builder refunded(BigDecimal total) {
      refundedTotal = total;
      return this;
    }

    PaymentChange build() {
      return new PaymentChange(action, sessionId, paymentIntentId, chargeId, customerId, paymentMethodId,
          paymentMethodType, failureReason, refundedTotal);
    }
  }

  /** Whether an event saying this may arrive before its payment is known, and must then wait for it. */
  boolean waitsForItsPayment() {
    return action == Action.REFUND || action == Action.DISPUTE || action == Action.DISPUTE_WON
        || action == Action.DISPUTE_LOST;
  }

  /** What a parked event keeps: every field, amounts as decimal strings. */
  JsonObject toJson() {
    return new JsonObject().put("action", action.name()).put("sessionId", sessionId)
        .put("paymentIntentId", paymentIntentId).put("chargeId", chargeId).put("customerId", customerId)
        .put("paymentMethodId", paymentMethodId).put("paymentMethodType", paymentMethodType)
        .put("failureReason", failureReason)
        .put("refundedTotal", refundedTotal == null ? null : refundedTotal.toPlainString());
  }

  static PaymentChange fromJson(JsonObject j) {
    String refunded = j.getString("refundedTotal");
    return new PaymentChange(Action.valueOf(j.getString("action")), j.getString("sessionId"), j.getString("paymentIntentId"),
        j.getString("chargeId"), j.getString("customerId"), j.getString("paymentMethodId"),
        j.getString("paymentMethodType"), j.getString("failureReason"), refunded == null ? null : new BigDecimal(refunded));
  }

  /** The payment's next state; {@code source} is how the payment was made (checkout, plan, import). */
  PaymentState applyTo(PaymentState s, String source) {
    return switch (action) {
      case COMPLETE -> s.complete();
      case FAIL -> s.fail();
      case DECLINED -> "checkout".equals(source) ? s : s.fail();
      case EXPIRE -> s.expire();
      case REFUND -> refundedTotal == null ? s : s.refund(refundedTotal);
      case DISPUTE -> s.dispute();
      case DISPUTE_WON -> s.disputeWon();
      case DISPUTE_LOST -> refundedTotal == null ? s : s.disputeLost(refundedTotal);
      case NOTE -> s;
    };
  }
}
