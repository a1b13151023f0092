package dev.beacon.payments;

import dev.beacon.db.Uuids;
import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.model.Charge;
import com.stripe.model.Dispute;
import com.stripe.model.Event;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeObject;
import com.stripe.model.checkout.Session;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Reads a verified Stripe event into the payment it concerns and the {@link PaymentChange} it makes. */
final class StripeEvents {
  /** The event's target (by our payment id, or by a Stripe id when the object carries no metadata). */
  record Target(UUID paymentId, String paymentIntentId, String chargeId, String sessionId) {}

  /** A handled event: where it applies and what it does. */
  record Parsed(Target target, PaymentChange change) {}

  static final List<String> HANDLED = List.of(
      "checkout.session.completed", "checkout.session.async_payment_succeeded",
      "checkout.session.async_payment_failed", "checkout.session.expired",
      "payment_intent.succeeded", "payment_intent.payment_failed",
      "charge.refunded", "charge.dispute.created", "charge.dispute.closed");

  private StripeEvents() {}

  /** The event's change, or null for a type Beacon only records. */
  static Parsed parse(Event event) throws EventDataObjectDeserializationException {
    String type = event.getType();
    if (!HANDLED.contains(type)) {
      return null;
    }
    // An event of another API version deserializes only "unsafely"; the fields read here are stable.
    StripeObject object = event.getDataObjectDeserializer().getObject()
        .orElse(null);
    if (object == null) {
      object = event.getDataObjectDeserializer().deserializeUnsafe();
    }
    return switch (type) {
      case "checkout.session.completed", "checkout.session.async_payment_succeeded",
           "checkout.session.async_payment_failed", "checkout.session.expired" -> session(type, (Session) object);
      case "payment_intent.succeeded", "payment_intent.payment_failed" -> intent(type, (PaymentIntent) object);
      case "charge.refunded" -> refund((Charge) object);
      default -> dispute(type, (Dispute) object);
    };
  }

  private static Parsed session(String type, Session s) {
    PaymentChange.Action action = switch (type) {
      case "checkout.session.completed" ->
          "unpaid".equals(s.getPaymentStatus()) ? PaymentChange.Action.NOTE : PaymentChange.Action.COMPLETE;
      case "checkout.session.async_payment_succeeded" -> PaymentChange.Action.COMPLETE;
      case "checkout.session.async_payment_failed" -> PaymentChange.Action.FAIL;
      default -> PaymentChange.Action.EXPIRE;
    };
    UUID id = paymentId(s.getMetadata());
    if (id == null) {
      id = Uuids.parseOrNull(s.getClientReferenceId());
    }
    PaymentChange.Builder c = PaymentChange.of(action).session(s.getId()).paymentIntent(s.getPaymentIntent())
        .card(s.getCustomer(), null).methodType(single(s.getPaymentMethodTypes()));
    if (action == PaymentChange.Action.FAIL) {
      c.failure("checkout: the payment did not complete");
    } else if (action == PaymentChange.Action.EXPIRE) {
      c.failure("checkout: the session expired");
    }
    return new Parsed(new Target(id, s.getPaymentIntent(), null, s.getId()), c.build());
  }

  private static Parsed intent(String type, PaymentIntent pi) {
    boolean ok = type.equals("payment_intent.succeeded");
    PaymentChange.Builder c = PaymentChange.of(ok ? PaymentChange.Action.COMPLETE : PaymentChange.Action.DECLINED).paymentIntent(pi.getId())
        .charge(pi.getLatestCharge()).card(pi.getCustomer(), pi.getPaymentMethod())
        .methodType(single(pi.getPaymentMethodTypes()));
    if (!ok) {
      var error = pi.getLastPaymentError();
      c.failure(error == null || error.getMessage() == null ? "the payment failed"
          : error.getMessage() + (error.getCode() == null ? "" : " (" + error.getCode() + ")"));
    }
    return new Parsed(new Target(paymentId(pi.getMetadata()), pi.getId(), null, null), c.build());
  }

  private static Parsed refund(Charge ch) {
    long refunded = ch.getAmountRefunded() == null ? 0 : ch.getAmountRefunded();
    PaymentChange.Builder c = PaymentChange.of(PaymentChange.Action.REFUND).charge(ch.getId()).paymentIntent(ch.getPaymentIntent())
        .refunded(Amounts.fromCents(refunded));
    if (ch.getPaymentMethodDetails() != null && ch.getPaymentMethodDetails().getType() != null) {
      c.methodType(ch.getPaymentMethodDetails().getType());
    }
    return new Parsed(new Target(paymentId(ch.getMetadata()), ch.getPaymentIntent(), ch.getId(), null), c.build());
  }

  /**
   * A dispute opened keeps the money credited until it is decided; closed as lost takes the disputed amount back,
   * closed as won (or an inquiry closed without a chargeback) puts the payment back.
   */
  private static Parsed dispute(String type, Dispute d) {
    PaymentChange.Builder c = PaymentChange.of(PaymentChange.Action.DISPUTE);
    if (type.equals("charge.dispute.closed")) {
      String status = d.getStatus() == null ? "" : d.getStatus();
      c = switch (status) {
        case "lost" -> d.getAmount() == null ? PaymentChange.of(PaymentChange.Action.NOTE)
            : PaymentChange.of(PaymentChange.Action.DISPUTE_LOST).refunded(Amounts.fromCents(d.getAmount()));
        case "won", "warning_closed", "prevented" -> PaymentChange.of(PaymentChange.Action.DISPUTE_WON);
        default -> PaymentChange.of(PaymentChange.Action.NOTE);
      };
    }
    c.charge(d.getCharge()).paymentIntent(d.getPaymentIntent());
    return new Parsed(new Target(paymentId(d.getMetadata()), d.getPaymentIntent(), d.getCharge(), null), c.build());
  }

  private static UUID paymentId(Map<String, String> metadata) {
    return metadata == null ? null : Uuids.parseOrNull(metadata.get(Metadata.PAYMENT_ID));
  }

  private static String single(List<String> types) {
    return types != null && types.size() == 1 ? types.get(0) : null;
  }
}
