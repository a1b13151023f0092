package dev.beacon.scoring;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Random;
import java.util.function.IntToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PropensityModelTest {
  static final PropensityModel V1 = PropensityModel.resource("v1");

  /** A typical account: some balance, a year of silence, a few unanswered contacts, consent. */
  static double[] typical() {
    double[] x = new double[Feature.COUNT];
    x[Feature.DAYS_SINCE_LAST_RESPONSE.ordinal()] = 365;
    x[Feature.UNANSWERED_CONTACTS.ordinal()] = 3;
    x[Feature.BALANCE_OWED.ordinal()] = 1500;
    x[Feature.CONSENT.ordinal()] = 1;
    return x;
  }

  static int score(double[] x) {
    return V1.score("active", x).score();
  }

  /** A feature vector whose value at each index is {@code value.applyAsDouble(index)}, asked in index order. */
  static double[] features(IntToDoubleFunction value) {
    double[] x = new double[Feature.COUNT];
    for (int k = 0; k < x.length; k++) {
      x[k] = value.applyAsDouble(k);
    }
    return x;
  }

  static double[] with(Feature f, double value) {
    double[] x = typical();
    x[f.ordinal()] = value;
    return x;
  }

  @Test
  void modelFile_v1_hasACoefficientAndAReasonForEveryFeature() {
    JsonObject json = V1.toJson();
    assertThat(json.getString("version")).isEqualTo("v1");
    assertThat(json.getJsonObject("intercept").getString("reason")).isNotBlank();
    assertThat(json.getJsonArray("features")).hasSize(Feature.COUNT);
    json.getJsonArray("features").forEach(o -> assertThat(((JsonObject) o).getString("reason")).isNotBlank());
  }

  @Test
  void typicalUntouchedAccount_scoresAboutFivePercent() {
    assertThat(score(typical())).isBetween(3, 8);
  }

  @ParameterizedTest
  @EnumSource(value = Feature.class, names = {"HUMAN_OPENS", "HUMAN_CLICKS", "PAGE_VIEWS", "PAYMENT_PAGE_MINUTES",
      "PAYMENT_VISITS_WITHOUT_PAYMENT"})
  @DisplayName("more human engagement never lowers the score, and enough of it raises it")
  void engagement_neverLowersTheScore(Feature f) {
    int previous = -1;
    double previousP = -1;
    for (double v = 0; v <= 200; v += 0.25) {
      PropensityModel.Score s = V1.score("active", with(f, v));
      assertThat(s.score()).isGreaterThanOrEqualTo(previous);
      assertThat(s.probability()).isGreaterThan(previousP);
      previous = s.score();
      previousP = s.probability();
    }
    assertThat(score(with(f, 10))).isGreaterThan(score(with(f, 0)));
  }

  @ParameterizedTest
  @EnumSource(value = Feature.class, names = {"DAYS_SINCE_LAST_RESPONSE", "UNANSWERED_CONTACTS", "BROKEN_PLAN",
      "BALANCE_OWED"})
  void negativeSignals_neverRaiseTheScore(Feature f) {
    double top = f == Feature.BROKEN_PLAN ? 1 : f == Feature.BALANCE_OWED ? 100_000 : 365;
    double step = top / 50;
    double previous = 2;
    for (double v = 0; v <= top; v += step) {
      double p = V1.score("active", with(f, v)).probability();
      assertThat(p).isLessThan(previous);
      previous = p;
    }
  }

  @ParameterizedTest
  @EnumSource(value = Feature.class, names = {"PARTIAL_PAYMENTS", "SHARE_PAID", "CONSENT"})
  void paymentsAndConsent_neverLowerTheScore(Feature f) {
    double top = f == Feature.PARTIAL_PAYMENTS ? 20 : 1;
    double previous = -1;
    for (double v = 0; v <= top; v += top / 20) {
      double p = V1.score("active", with(f, v)).probability();
      assertThat(p).isGreaterThan(previous);
      previous = p;
    }
  }

  @Test
  void engagedDebtor_scoresFarAboveTheUntouchedOne() {
    double[] x = typical();
    x[Feature.HUMAN_OPENS.ordinal()] = 3;
    x[Feature.HUMAN_CLICKS.ordinal()] = 1;
    x[Feature.PAGE_VIEWS.ordinal()] = 2;
    x[Feature.PAYMENT_PAGE_MINUTES.ordinal()] = 3;
    x[Feature.DAYS_SINCE_LAST_RESPONSE.ordinal()] = 5;
    x[Feature.UNANSWERED_CONTACTS.ordinal()] = 0;
    assertThat(score(x)).isGreaterThan(50);
  }

  @Test
  @DisplayName("scores stay within 0..100 and explanations sum to the score, for extreme and random inputs")
  void bounds_andExplanationsSumToTheScore() {
    Random random = new Random(42);
    for (int i = 0; i < 5_000; i++) {
      double[] x = features(k -> switch (random.nextInt(4)) {
        case 0 -> 0;
        case 1 -> random.nextDouble();
        case 2 -> random.nextDouble() * 1e6;
        default -> random.nextDouble() * 50;
      });
      PropensityModel.Score s = V1.score("active", x);
      assertThat(s.score()).isBetween(0, 100);
      double sum = s.factors().stream().mapToDouble(PropensityModel.Factor::contribution).sum();
      assertThat(sum).isCloseTo(s.score(), within(1e-6));
      for (int k = 1; k < s.factors().size(); k++) {
        assertThat(Math.abs(s.factors().get(k).contribution()))
            .isLessThanOrEqualTo(Math.abs(s.factors().get(k - 1).contribution()));
      }
    }
  }

  @Test
  void explanation_baselineIsTheInterceptsScore_whenNothingElseContributes() {
    double[] x = new double[Feature.COUNT];
    PropensityModel.Score s = V1.score("active", x);
    assertThat(s.factors().get(0).name()).isEqualTo(PropensityModel.BASELINE);
    assertThat(s.factors().get(0).contribution()).isEqualTo(s.score());
    assertThat(s.score()).isEqualTo((int) Math.round(100 * PropensityModel.sigmoid(V1.intercept())));
  }

  @Test
  void explanation_namesEveryFeatureWithItsValue() {
    PropensityModel.Score s = V1.score("active", with(Feature.HUMAN_CLICKS, 2.5));
    assertThat(s.factors()).hasSize(Feature.COUNT + 1);
    assertThat(s.factors()).anySatisfy(f -> {
      assertThat(f.name()).isEqualTo("human_clicks");
      assertThat(f.value()).isEqualTo(2.5);
      assertThat(f.contribution()).isPositive();
    });
    assertThat(s.factors()).anySatisfy(f -> {
      assertThat(f.name()).isEqualTo("days_since_last_response");
      assertThat(f.contribution()).isNegative();
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"dispute", "resolved"})
  void disputeAndResolved_scoreZeroWithTheReason(String status) {
    double[] x = with(Feature.HUMAN_CLICKS, 50);
    PropensityModel.Score s = V1.score(status, x);
    assertThat(s.score()).isZero();
    assertThat(s.reason()).contains(status);
    assertThat(s.factors()).singleElement().satisfies(f -> {
      assertThat(f.name()).isEqualTo("status");
      assertThat(f.value()).isEqualTo(status);
      assertThat(f.contribution()).isZero();
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"active", "payment_plan", "cease", "closed"})
  void otherStatuses_areScoredByTheirFeatures(String status) {
    assertThat(V1.score(status, with(Feature.HUMAN_CLICKS, 50)).score()).isGreaterThan(0);
  }

  @Test
  void fromJson_rejectsAModelMissingACoefficient() {
    JsonObject json = V1.toJson();
    json.getJsonArray("features").remove(0);
    assertThatThrownBy(() -> PropensityModel.fromJson(json)).hasMessageContaining("human_opens");
  }

  @Test
  void fitted_roundTripsThroughItsStoredShape() {
    double[] w = new double[Feature.COUNT];
    w[Feature.HUMAN_CLICKS.ordinal()] = 0.7;
    PropensityModel m = PropensityModel.fitted("v2", -1.5, w, "test");
    PropensityModel back = PropensityModel.fromJson(m.toJson());
    assertThat(back.version()).isEqualTo("v2");
    assertThat(back.intercept()).isEqualTo(-1.5);
    assertThat(back.weight(Feature.HUMAN_CLICKS)).isEqualTo(0.7);
  }

  @Test
  void unknownVersion_hasNoModelFile() {
    assertThat(PropensityModel.resource("v999")).isNull();
    assertThat(PropensityModel.resource("../x")).isNull();
  }

  @Test
  @DisplayName("cents round like BigDecimal HALF_UP on the shortest decimal, half cents included")
  void cents_matchBigDecimalHalfUp() {
    Random random = new Random(5);
    double[] edges = {0.005, 1.005, -1.005, 2.675, -2.675, 0.015, -0.0, 99.995, 0.125, -0.125, 1e7 + 0.005, 5e8};
    for (int i = 0; i < 200_000 + edges.length; i++) {
      double v = i < edges.length ? edges[i]
          : i % 2 == 0 ? (random.nextInt(2_000_000) - 1_000_000) / 100.0 + 0.005 : (random.nextDouble() - 0.5) * 1e4;
      long expected = BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP).movePointRight(2)
          .longValueExact();
      assertThat(PropensityModel.cents(v)).as("cents of %s", v).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("the factors' text written to score_history is exactly the JSON tree's encoding")
  void factorsText_equalsTheEncodedTree() {
    Random random = new Random(11);
    for (int i = 0; i < 2_000; i++) {
      double[] x = features(k -> random.nextInt(4) == 0 ? 0 : random.nextDouble() * (random.nextBoolean() ? 10 : 1e7));
      PropensityModel.Score s = V1.score(i % 50 == 0 ? "dispute" : "active", x);
      assertThat(s.factorsText()).isEqualTo(s.factorsJson().encode());
    }
  }
}
