package dev.beacon.scoring;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LogisticRegressionTest {

  /** Samples labels from a known logistic model. */
  static boolean[] labels(double[][] x, double b, double[] w, Random random) {
    boolean[] y = new boolean[x.length];
    for (int i = 0; i < x.length; i++) {
      double z = b;
      for (int j = 0; j < w.length; j++) {
        z += w[j] * x[i][j];
      }
      y[i] = random.nextDouble() < PropensityModel.sigmoid(z);
    }
    return y;
  }

  static double[][] inputs(int n, int m, Random random) {
    double[][] x = new double[n][m];
    for (double[] row : x) {
      for (int j = 0; j < m; j++) {
        row[j] = random.nextGaussian() * (j + 1) + j; // different scales and means
      }
    }
    return x;
  }

  @Test
  void recoversTheCoefficientsOfAKnownModel() {
    Random random = new Random(7);
    double[] w = {1.2, -0.4, 0.0};
    double[][] x = inputs(40_000, 3, random);
    boolean[] y = labels(x, -0.5, w, random);
    LogisticRegression.Fit fit = LogisticRegression.fit(x, y, 1e-6, new boolean[3]);
    assertThat(fit.weights()[0]).isCloseTo(1.2, within(0.05));
    assertThat(fit.weights()[1]).isCloseTo(-0.4, within(0.03));
    assertThat(fit.weights()[2]).isCloseTo(0.0, within(0.03));
    assertThat(fit.intercept()).isCloseTo(-0.5, within(0.1));
    assertThat(fit.iterations()).isLessThan(30);
  }

  @Test
  void strongerRegularisation_shrinksTheWeights() {
    Random random = new Random(8);
    double[][] x = inputs(2_000, 2, random);
    boolean[] y = labels(x, 0, new double[] {1.0, 0.5}, random);
    double weak = Math.abs(LogisticRegression.fit(x, y, 1e-6, new boolean[2]).weights()[0]);
    double strong = Math.abs(LogisticRegression.fit(x, y, 1.0, new boolean[2]).weights()[0]);
    assertThat(strong).isLessThan(weak / 2);
  }

  @Test
  void nonNegativeWeight_isHeldAtZeroWhenTheDataPointsTheOtherWay() {
    Random random = new Random(9);
    double[][] x = inputs(5_000, 2, random);
    boolean[] y = labels(x, 0, new double[] {-1.0, 0.8}, random);
    LogisticRegression.Fit fit = LogisticRegression.fit(x, y, 1e-4, new boolean[] {true, false});
    assertThat(fit.weights()[0]).isZero();
    assertThat(fit.weights()[1]).isGreaterThan(0.3);
  }

  @Test
  void perfectlySeparableData_staysFiniteThanksToTheL2Penalty() {
    double[][] x = {{0}, {1}, {2}, {3}, {4}, {5}};
    boolean[] y = {false, false, false, true, true, true};
    LogisticRegression.Fit fit = LogisticRegression.fit(x, y, 1e-2, new boolean[1]);
    assertThat(fit.weights()[0]).isPositive().isLessThan(100);
    assertThat(Double.isFinite(fit.intercept())).isTrue();
  }

  @Test
  void constantInput_getsWeightZero() {
    double[][] x = {{1, 0}, {1, 1}, {1, 2}, {1, 3}};
    boolean[] y = {false, true, false, true};
    LogisticRegression.Fit fit = LogisticRegression.fit(x, y, 1e-2, new boolean[2]);
    assertThat(fit.weights()[0]).isZero();
  }

  @Test
  void solve_solvesASmallSystem() {
    double[] x = LogisticRegression.solve(new double[][] {{0, 2}, {3, 1}}, new double[] {4, 5});
    assertThat(x[0]).isCloseTo(1, within(1e-12));
    assertThat(x[1]).isCloseTo(2, within(1e-12));
  }
}
