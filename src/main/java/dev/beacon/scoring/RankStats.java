package dev.beacon.scoring;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * AUC and pay rate by decile of (probability, paid) pairs, in constant memory: probabilities fall into
 * {@value #BINS} equal bins holding payer and non-payer counts. Pairs in one bin count as ties (half a
 * concordant pair), so the AUC is exact up to a probability resolution of 1e-4.
 */
public final class RankStats {
  static final int BINS = 10_000;

  private final long[] payers = new long[BINS + 1];
  private final long[] others = new long[BINS + 1];
  private long debtors;
  private long payerCount;

  public void add(double probability, boolean paid) {
    int bin = (int) Math.round(Math.min(1, Math.max(0, probability)) * BINS);
    if (paid) {
      payers[bin]++;
      payerCount++;
    } else {
      others[bin]++;
    }
    debtors++;
  }

  public long debtors() {
    return debtors;
  }

  public long payers() {
    return payerCount;
  }

  /** The probability that a random payer ranks above a random non-payer (0.5 when either class is empty). */
  public double auc() {
    long negatives = debtors - payerCount;
    if (payerCount == 0 || negatives == 0) {
      return 0.5;
    }
    double concordant = 0;
    long below = 0;
    for (int b = 0; b <= BINS; b++) {
      concordant += payers[b] * (below + others[b] / 2.0);
      below += others[b];
    }
    return concordant / ((double) payerCount * negatives);
  }

  /**
   * Pay rate in each decile of debtors ranked by probability, decile 1 the highest. A bin straddling a decile
   * boundary is shared between the two deciles in proportion.
   */
  public double[] decileRates() {
    double[] n = new double[10];
    double[] paid = new double[10];
    double start = 0;
    for (int b = BINS; b >= 0; b--) {
      long count = payers[b] + others[b];
      if (count == 0) {
        continue;
      }
      double rate = payers[b] / (double) count;
      double end = start + count;
      for (int d = 0; d < 10; d++) {
        double lo = debtors * d / 10.0;
        double hi = debtors * (d + 1) / 10.0;
        double overlap = Math.min(end, hi) - Math.max(start, lo);
        if (overlap > 0) {
          n[d] += overlap;
          paid[d] += overlap * rate;
        }
      }
      start = end;
    }
    double[] rates = new double[10];
    for (int d = 0; d < 10; d++) {
      rates[d] = n[d] == 0 ? 0 : paid[d] / n[d];
    }
    return rates;
  }

  /** {@code {auc, debtors, payers, lift: [{decile, payRate}]}} with four decimals. */
  public JsonObject toJson() {
    JsonArray lift = new JsonArray();
    double[] rates = decileRates();
    for (int d = 0; d < 10; d++) {
      lift.add(new JsonObject().put("decile", d + 1).put("payRate", round4(rates[d])));
    }
    return new JsonObject().put("auc", round4(auc())).put("debtors", debtors).put("payers", payerCount)
        .put("lift", lift);
  }

  private static double round4(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
