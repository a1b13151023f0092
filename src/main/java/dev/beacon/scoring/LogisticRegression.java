package dev.beacon.scoring;

import java.util.Arrays;

/**
 * L2-regularised logistic regression by Newton's method (iteratively reweighted least squares) on standardised
 * inputs, with a backtracking line search. Weights marked non-negative are held at 0 when the unconstrained fit
 * would make them negative (an active set). Pure and small: {@code m + 1} parameters, one pass over the rows per
 * iteration.
 */
public final class LogisticRegression {
  private static final int MAX_ITERATIONS = 50;
  private static final double TOLERANCE = 1e-7;

  /** The fitted intercept and weights, on the original (not standardised) inputs. */
  public record Fit(double intercept, double[] weights, int iterations) {}

  private LogisticRegression() {}

  /**
   * @param x inputs, one row per example ({@code x[i].length == m})
   * @param y labels
   * @param lambda L2 penalty on the standardised weights (not on the intercept), scaled by the number of rows
   * @param nonNegative weights constrained to be ≥ 0 (length m)
   */
  public static Fit fit(double[][] x, boolean[] y, double lambda, boolean[] nonNegative) {
    int n = x.length;
    int m = nonNegative.length;
    if (n == 0) {
      throw new IllegalArgumentException("no examples to fit");
    }
    double[] mean = new double[m];
    double[] sd = new double[m];
    for (double[] row : x) {
      for (int j = 0; j < m; j++) {
        mean[j] += row[j] / n;
      }
    }
    for (double[] row : x) {
      for (int j = 0; j < m; j++) {
        sd[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
      }
    }
    for (int j = 0; j < m; j++) {
      sd[j] = Math.sqrt(sd[j]);
    }
    boolean[] fixed = new boolean[m];
    for (int j = 0; j < m; j++) {
      fixed[j] = sd[j] < 1e-12; // a constant input carries no information: weight 0
    }
    double[] beta = new double[m + 1];
    int total = 0;
    while (true) {
      total += newton(x, y, mean, sd, lambda * n, fixed, beta);
      boolean changed = false;
      for (int j = 0; j < m; j++) {
        if (nonNegative[j] && !fixed[j] && beta[j + 1] < 0) {
          fixed[j] = true;
          beta[j + 1] = 0;
          changed = true;
        }
      }
      if (!changed) {
        break;
      }
    }
    double[] w = new double[m];
    double b = beta[0];
    for (int j = 0; j < m; j++) {
      w[j] = fixed[j] ? 0 : beta[j + 1] / sd[j];
      b -= w[j] * mean[j];
    }
    return new Fit(b, w, total);
  }

  private static int newton(double[][] x, boolean[] y, double[] mean, double[] sd, double penalty, boolean[] fixed,
                            double[] beta) {
    int m = mean.length;
    int p = m + 1;
    double[] z = new double[p];
    for (int it = 1; it <= MAX_ITERATIONS; it++) {
      double[] g = new double[p];
      double[][] h = new double[p][p];
      for (int i = 0; i < x.length; i++) {
        standardise(x[i], mean, sd, fixed, z);
        double mu = PropensityModel.sigmoid(dot(beta, z));
        double r = mu - (y[i] ? 1 : 0);
        double wt = Math.max(mu * (1 - mu), 1e-12);
        for (int a = 0; a < p; a++) {
          if (z[a] == 0) {
            continue;
          }
          g[a] += r * z[a];
          for (int c = 0; c <= a; c++) {
            h[a][c] += wt * z[a] * z[c];
          }
        }
      }
      for (int a = 0; a < p; a++) {
        for (int c = 0; c < a; c++) {
          h[c][a] = h[a][c];
        }
        if (a > 0) {
          g[a] += penalty * beta[a];
          h[a][a] += penalty;
        }
        h[a][a] += 1e-9;
        if (a > 0 && fixed[a - 1]) { // pinned at 0: no step
          Arrays.fill(h[a], 0);
          for (int c = 0; c < p; c++) {
            h[c][a] = 0;
          }
          h[a][a] = 1;
          g[a] = 0;
        }
      }
      double[] step = solve(h, g);
      double before = loss(x, y, mean, sd, penalty, fixed, beta);
      double t = 1;
      double[] next = new double[p];
      for (int k = 0; k < 30; k++) {
        for (int a = 0; a < p; a++) {
          next[a] = beta[a] - t * step[a];
        }
        if (loss(x, y, mean, sd, penalty, fixed, next) <= before + 1e-12) {
          break;
        }
        t /= 2;
      }
      double largest = 0;
      for (int a = 0; a < p; a++) {
        largest = Math.max(largest, Math.abs(next[a] - beta[a]));
        beta[a] = next[a];
      }
      if (largest < TOLERANCE) {
        return it;
      }
    }
    return MAX_ITERATIONS;
  }

  static double loss(double[][] x, boolean[] y, double[] mean, double[] sd, double penalty, boolean[] fixed,
                     double[] beta) {
    double[] z = new double[beta.length];
    double l = 0;
    for (int i = 0; i < x.length; i++) {
      standardise(x[i], mean, sd, fixed, z);
      double s = dot(beta, z);
      // log(1 + e^s) − y·s, computed without overflow
      l += (s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s))) - (y[i] ? s : 0);
    }
    for (int a = 1; a < beta.length; a++) {
      l += penalty * beta[a] * beta[a] / 2;
    }
    return l;
  }

  private static void standardise(double[] row, double[] mean, double[] sd, boolean[] fixed, double[] z) {
    z[0] = 1;
    for (int j = 0; j < mean.length; j++) {
      z[j + 1] = fixed[j] ? 0 : (row[j] - mean[j]) / sd[j];
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** Solves {@code a·x = b} by Gaussian elimination with partial pivoting (a is small and positive definite). */
  static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] m = new double[n][];
    for (int i = 0; i < n; i++) {
      m[i] = Arrays.copyOf(a[i], n + 1);
      m[i][n] = b[i];
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
          pivot = r;
        }
      }
      double[] tmp = m[col];
      m[col] = m[pivot];
      m[pivot] = tmp;
      for (int r = col + 1; r < n; r++) {
        double f = m[r][col] / m[col][col];
        for (int c = col; c <= n; c++) {
          m[r][c] -= f * m[col][c];
        }
      }
    }
    double[] x = new double[n];
    for (int r = n - 1; r >= 0; r--) {
      double s = m[r][n];
      for (int c = r + 1; c < n; c++) {
        s -= m[r][c] * x[c];
      }
      x[r] = s / m[r][r];
    }
    return x;
  }
}
