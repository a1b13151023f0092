package dev.beacon.scoring;

/**
 * The model's features, in the order of every feature vector. A feature's raw value (what the explain endpoint
 * shows) goes through its {@link Transform} before it is weighted, so counts have diminishing returns.
 * Engagement features are constrained to a non-negative weight when a model is fitted: more human engagement
 * never lowers a score.
 */
public enum Feature {
  /** Human opens, each weighted by recency: 1 within 7 days, 0.5 within 30, 0.25 within 90, 0 beyond. */
  HUMAN_OPENS("human_opens", Transform.LOG1P, true),
  /** Human clicks, weighted by recency like opens. */
  HUMAN_CLICKS("human_clicks", Transform.LOG1P, true),
  /** Page views (landing, payment, info), weighted by recency like opens. */
  PAGE_VIEWS("page_views", Transform.LOG1P, true),
  /** Minutes spent on the payment page in the last 90 days (each view capped at 30 minutes). */
  PAYMENT_PAGE_MINUTES("payment_page_minutes", Transform.LOG1P, true),
  /** Payment page visits in the last 90 days not followed by a completed payment. */
  PAYMENT_VISITS_WITHOUT_PAYMENT("payment_visits_without_payment", Transform.LOG1P, true),
  /** Days since the debtor last responded (inbound contact or answered call), capped at 365; 365 if never. */
  DAYS_SINCE_LAST_RESPONSE("days_since_last_response", Transform.LINEAR, false),
  /** Outbound contacts since the last response (all of them if the debtor never responded). */
  UNANSWERED_CONTACTS("unanswered_contacts", Transform.LOG1P, false),
  /** Completed payments so far. */
  PARTIAL_PAYMENTS("partial_payments", Transform.LOG1P, false),
  /** 1 when a payment plan of the debtor broke, else 0. */
  BROKEN_PLAN("broken_plan", Transform.LINEAR, false),
  /** The balance still owed, in currency units. */
  BALANCE_OWED("balance_owed", Transform.LOG1P, false),
  /** The share of the debt already paid, 0 to 1. */
  SHARE_PAID("share_paid", Transform.LINEAR, false),
  /** 1 when the debtor consents to email or phone contact, else 0. */
  CONSENT("consent", Transform.LINEAR, false);

  /** How a raw value becomes the model's input. */
  public enum Transform {
    LINEAR, LOG1P;

    double apply(double raw) {
      return this == LINEAR ? raw : Math.log1p(Math.max(0, raw));
    }
  }

  public static final int COUNT = values().length;

  private final String key;
  private final Transform transform;
  private final boolean engagement;

  Feature(String key, Transform transform, boolean engagement) {
    this.key = key;
    this.transform = transform;
    this.engagement = engagement;
  }

  /** The name in model files and in the explain endpoint. */
  public String key() {
    return key;
  }

  public boolean engagement() {
    return engagement;
  }

  public double input(double raw) {
    return transform.apply(raw);
  }

  public static Feature byKey(String key) {
    for (Feature f : values()) {
      if (f.key.equals(key)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown feature " + key);
  }
}
