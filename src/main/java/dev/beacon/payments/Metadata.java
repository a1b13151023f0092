package dev.beacon.payments;

/** The metadata keys Beacon puts on Stripe objects and reads back from events. */
final class Metadata {
  static final String PAYMENT_ID = "payment_id";
  static final String DEBTOR_ID = "debtor_id";
  static final String PLAN_ID = "plan_id";
  static final String INSTALLMENT = "installment";

  private Metadata() {}
}
