package dev.beacon.scoring;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * A logistic model of paying within the next 30 days: {@code p = σ(b + Σ wᵢ·tᵢ(xᵢ))} where {@code xᵢ} is a
 * feature's raw value and {@code tᵢ} its transform; the score is {@code round(100·p)}. Pure: no I/O besides
 * reading a model file from the classpath.
 *
 * <p>Explanation: with {@code z = b + Σ cᵢ}, {@code cᵢ = wᵢ·tᵢ(xᵢ)} (logit space), each factor gets
 * {@code cᵢ · m} score points where {@code m = 100·(σ(z) − σ(b)) / (z − b)} is the slope of the score between
 * the baseline and the debtor ({@code 100·σ'(b)} when {@code z = b}). The "baseline" factor is {@code 100·σ(b)}
 * plus the rounding of the score to an integer, so the contributions sum exactly to the score.
 */
public final class PropensityModel {
  /** Statuses that are not scored: their score is 0 with the reason. */
  public static final Set<String> EXCLUDED = Set.of("dispute", "resolved");
  public static final String BASELINE = "baseline";

  private final String version;
  private final double intercept;
  private final double[] weights;
  private final JsonObject source;

  public PropensityModel(String version, double intercept, double[] weights, JsonObject source) {
    if (weights.length != Feature.COUNT) {
      throw new IllegalArgumentException("a model needs " + Feature.COUNT + " weights");
    }
    this.version = version;
    this.intercept = intercept;
    this.weights = weights.clone();
    this.source = source;
  }

  /** One factor of an explanation: its raw value and its score points. */
  public record Factor(String name, Object value, double contribution) {
    public JsonObject toJson() {
      return new JsonObject().put("name", name).put("value", value).put("contribution", contribution);
    }
  }

  /** A score with its factors, largest |contribution| first; {@code reason} is set when the status excludes it. */
  public record Score(int score, double probability, List<Factor> factors, String reason) {
    public JsonArray factorsJson() {
      JsonArray a = new JsonArray();
      factors.forEach(f -> a.add(f.toJson()));
      return a;
    }

    /**
     * {@link #factorsJson()} encoded, the same text, without building the JSON tree first: the scoring job
     * writes one per changed score, on the event loop (100–127 ms per 5,000-debtor chunk went into scoring and
     * encoding through the tree).
     */
    public String factorsText() {
      StringBuilder b = new StringBuilder(80 * factors.size()).append('[');
      for (int i = 0; i < factors.size(); i++) {
        Factor f = factors.get(i);
        b.append(i == 0 ? "{\"name\":" : ",{\"name\":").append(Json.encode(f.name())).append(",\"value\":")
            .append(f.value() instanceof String text ? Json.encode(text) : String.valueOf(f.value()))
            .append(",\"contribution\":").append(f.contribution()).append('}');
      }
      return b.append(']').toString();
    }
  }

  public String version() {
    return version;
  }

  public double intercept() {
    return intercept;
  }

  public double weight(Feature f) {
    return weights[f.ordinal()];
  }

  /** The model as stored: {@code {version, intercept: {value, reason}, features: [{name, coefficient, reason}]}}. */
  public JsonObject toJson() {
    return source.copy();
  }

  /** The logit {@code b + Σ wᵢ·tᵢ(xᵢ)} of raw feature values. */
  public double logit(double[] raw) {
    double z = intercept;
    for (Feature f : Feature.values()) {
      z += weights[f.ordinal()] * f.input(raw[f.ordinal()]);
    }
    return z;
  }

  public double probability(double[] raw) {
    return sigmoid(logit(raw));
  }

  /** The score of a debtor with this status and these raw feature values, with its explanation. */
  public Score score(String status, double[] raw) {
    if (EXCLUDED.contains(status)) {
      return new Score(0, 0, List.of(new Factor("status", status, 0)),
          "debtors in status " + status + " are not scored");
    }
    double z = logit(raw);
    double p = sigmoid(z);
    int score = (int) Math.round(100 * p);
    double base = 100 * sigmoid(intercept);
    double slope = Math.abs(z - intercept) < 1e-9
        ? 100 * sigmoid(intercept) * (1 - sigmoid(intercept))
        : (100 * p - base) / (z - intercept);
    List<Factor> factors = new ArrayList<>(Feature.COUNT + 1);
    long sumCents = 0;
    for (Feature f : Feature.values()) {
      long points = cents(weights[f.ordinal()] * f.input(raw[f.ordinal()]) * slope);
      sumCents += points;
      factors.add(new Factor(f.key(), cents(raw[f.ordinal()]) / 100.0, points / 100.0));
    }
    factors.add(new Factor(BASELINE, 1, (score * 100L - sumCents) / 100.0));
    factors.sort(Comparator.comparingDouble((Factor x) -> -Math.abs(x.contribution())));
    return new Score(score, p, List.copyOf(factors), null);
  }

  static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  /**
   * {@code v} rounded to cents as {@code BigDecimal.valueOf(v).setScale(2, HALF_UP)} rounds it (half away from
   * zero, on the shortest decimal of {@code v}), in cents. Scores are computed for every debtor of a run, so the
   * exact decimal is taken only near a half cent, where the binary {@code 100·v} could round the other way: away
   * from it (and below 10⁹ cents, where {@code 100·v} is within 2·10⁻⁷ of the decimal) the nearest integer is
   * the same. {@code c / 100.0} is then the double nearest the decimal, as {@code BigDecimal.doubleValue()} is.
   */
  static long cents(double v) {
    double x = v * 100;
    if (Math.abs(x) < 1e9) {
      double floor = Math.floor(x);
      double fraction = x - floor;
      if (Math.abs(fraction - 0.5) > 1e-4) {
        return (long) (fraction < 0.5 ? floor : floor + 1);
      }
    }
    return BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP).movePointRight(2).longValueExact();
  }

  /** Reads a model in the stored shape; every feature must have a coefficient. */
  public static PropensityModel fromJson(JsonObject json) {
    String version = json.getString("version");
    if (version == null || !version.matches("v[0-9]+")) {
      throw new IllegalArgumentException("a model needs a version such as v1");
    }
    double b = json.getJsonObject("intercept").getDouble("value");
    double[] w = new double[Feature.COUNT];
    boolean[] seen = new boolean[Feature.COUNT];
    for (Object o : json.getJsonArray("features")) {
      JsonObject f = (JsonObject) o;
      Feature feature = Feature.byKey(f.getString("name"));
      w[feature.ordinal()] = f.getDouble("coefficient");
      seen[feature.ordinal()] = true;
    }
    for (Feature f : Feature.values()) {
      if (!seen[f.ordinal()]) {
        throw new IllegalArgumentException("model " + version + " has no coefficient for " + f.key());
      }
    }
    return new PropensityModel(version, b, w, json.copy());
  }

  /** A fitted model in the stored shape. */
  public static PropensityModel fitted(String version, double intercept, double[] weights, String why) {
    JsonArray features = new JsonArray();
    for (Feature f : Feature.values()) {
      features.add(new JsonObject().put("name", f.key()).put("coefficient", weights[f.ordinal()]).put("reason", why));
    }
    JsonObject json = new JsonObject().put("version", version)
        .put("intercept", new JsonObject().put("value", intercept).put("reason", why))
        .put("features", features);
    return new PropensityModel(version, intercept, weights, json);
  }

  /** The model file {@code scoring/model-<version>.json} on the classpath, or null when there is none. */
  public static PropensityModel resource(String version) {
    if (!version.matches("v[0-9]+")) {
      return null;
    }
    try (InputStream in = PropensityModel.class.getResourceAsStream("/scoring/model-" + version + ".json")) {
      if (in == null) {
        return null;
      }
      return fromJson(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the model file of " + version, e);
    }
  }
}
