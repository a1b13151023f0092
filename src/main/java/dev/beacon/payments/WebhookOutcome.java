package dev.beacon.payments;

import dev.beacon.db.SqlLiterals;

import java.util.Locale;

/**
 * What became of one Stripe webhook delivery: the {@code outcome} of its {@code stripe_events} row (applied,
 * recorded, unmatched) and the {@code outcome} label of {@code beacon_webhook_events} (every value but received).
 */
enum WebhookOutcome {
  /** The row's outcome between its insert and the end of its transaction, which always replaces it. */
  RECEIVED,
  /** The event moved a payment. */
  APPLIED,
  /** The event id was seen before (a retry or a concurrent second delivery): nothing changed. */
  DUPLICATE,
  /** An event type Beacon keeps but does not act on. */
  RECORDED,
  /** No payment matches the event (yet: refunds and disputes wait for theirs, parked). */
  UNMATCHED,
  BAD_SIGNATURE,
  MALFORMED,
  FAILED;

  /** The stored and reported value: {@code applied}, {@code bad_signature}, ... */
  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The label as a SQL string literal, for SQL constants. */
  String literal() {
    return SqlLiterals.of(label());
  }
}
