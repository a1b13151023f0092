package dev.beacon.scoring;

import dev.beacon.http.Problem;
import dev.beacon.http.Times;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Backtests and fits, both as of a past instant from the events before it only: the features are those the
 * scoring job would have computed at {@code asOf}, the label is a completed payment in
 * {@code (asOf, asOf + horizon]}. Only debtors that existed at {@code asOf} and still owed something count.
 * Statuses are not kept with their history, so a backtest ranks every such debtor by its features alone (no
 * status exclusion: today's status would leak the outcome).
 */
final class Backtest {
  /** A fit reads at most this many debtors (ids are random, so the first ones by id are a uniform sample). */
  static final int MAX_TRAINING_ROWS = 250_000;
  /** The L2 penalty per example on standardised weights. */
  static final double LAMBDA = 1e-3;

  /** A fitted model, the data it learnt from, and its backtest at the same instant. */
  record Fitted(PropensityModel model, long debtors, long payers, JsonObject backtest) {}

  private final Vertx vertx;
  private final ScoringRepository repo;
  private final FeatureQuery features;
  private final int chunkSize;

  Backtest(Vertx vertx, ScoringRepository repo, FeatureQuery features, int chunkSize) {
    this.vertx = vertx;
    this.repo = repo;
    this.features = features;
    this.chunkSize = chunkSize;
  }

  /** {@code {auc, debtors, payers, lift}} of the model's ranking as of {@code asOf}. */
  Future<RankStats> run(PropensityModel model, OffsetDateTime asOf, int horizonDays) {
    RankStats stats = new RankStats();
    return DebtorIdWalk.forEach(repo, ScoringRepository.IDS_AS_OF, asOf, chunkSize,
            ids -> features.read(ids, asOf, asOf.plusDays(horizonDays), true).map(chunk -> {
              for (FeatureQuery.Features f : chunk) {
                if (f.balance() > 0) {
                  stats.add(model.probability(f.raw()), f.paidLater());
                }
              }
              return true;
            }))
        .map(stats);
  }

  /** Fits a new version on the history as of {@code asOf}; the caller stores it. */
  Future<Fitted> fit(String version, OffsetDateTime asOf, int horizonDays) {
    List<double[]> x = new ArrayList<>();
    List<Boolean> y = new ArrayList<>();
    return DebtorIdWalk.forEach(repo, ScoringRepository.IDS_AS_OF, asOf, chunkSize,
            ids -> features.read(ids, asOf, asOf.plusDays(horizonDays), true).map(chunk -> {
              for (FeatureQuery.Features f : chunk) {
                if (f.balance() > 0 && x.size() < MAX_TRAINING_ROWS) {
                  double[] inputs = new double[Feature.COUNT];
                  for (Feature feature : Feature.values()) {
                    inputs[feature.ordinal()] = feature.input(f.raw()[feature.ordinal()]);
                  }
                  x.add(inputs);
                  y.add(f.paidLater());
                }
              }
              return x.size() < MAX_TRAINING_ROWS;
            }))
        .compose(seen -> {
          long payers = y.stream().filter(b -> b).count();
          if (payers == 0 || payers == y.size()) {
            return Future.failedFuture(Problem.invalid("asOf",
                "needs debtors who paid within the horizon and debtors who did not (found " + y.size()
                    + " debtors, " + payers + " payers)"));
          }
          boolean[] labels = new boolean[y.size()];
          for (int i = 0; i < labels.length; i++) {
            labels[i] = y.get(i);
          }
          boolean[] nonNegative = new boolean[Feature.COUNT];
          for (Feature f : Feature.values()) {
            nonNegative[f.ordinal()] = f.engagement();
          }
          double[][] rows = x.toArray(new double[0][]);
          return vertx.executeBlocking(() -> LogisticRegression.fit(rows, labels, LAMBDA, nonNegative), false)
              .compose(fit -> {
                PropensityModel model = PropensityModel.fitted(version, fit.intercept(), fit.weights(),
                    "fitted by L2-regularised logistic regression on " + rows.length + " debtors (" + payers
                        + " paid within " + horizonDays + " days) as of " + Times.format(asOf));
                return run(model, asOf, horizonDays)
                    .map(stats -> new Fitted(model, rows.length, payers, stats.toJson()));
              });
        });
  }
}
