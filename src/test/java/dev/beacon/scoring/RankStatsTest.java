package dev.beacon.scoring;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.IntPredicate;
import java.util.function.IntToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RankStatsTest {
  /** The stats of {@code n} debtors, debtor {@code i} predicted {@code p(i)} and paying when {@code paid(i)}. */
  private static RankStats stats(int n, IntToDoubleFunction p, IntPredicate paid) {
    RankStats s = new RankStats();
    for (int i = 0; i < n; i++) {
      s.add(p.applyAsDouble(i), paid.test(i));
    }
    return s;
  }

  @Test
  void perfectRanking_hasAucOne_andAllPayersInTheTopDecile() {
    RankStats s = stats(100, i -> i / 100.0, i -> i >= 90);
    assertThat(s.auc()).isEqualTo(1.0);
    assertThat(s.decileRates()[0]).isCloseTo(1.0, within(1e-9));
    assertThat(s.decileRates()[9]).isZero();
    assertThat(s.debtors()).isEqualTo(100);
    assertThat(s.payers()).isEqualTo(10);
  }

  @Test
  void reversedRanking_hasAucZero() {
    RankStats s = stats(100, i -> i / 100.0, i -> i < 30);
    assertThat(s.auc()).isZero();
  }

  @Test
  void ties_countHalf() {
    RankStats s = stats(2, i -> 0.5, i -> i == 0);
    assertThat(s.auc()).isEqualTo(0.5);
  }

  @Test
  void aucMatchesThePairwiseDefinition() {
    Random random = new Random(3);
    double[] p = new double[400];
    boolean[] y = new boolean[400];
    RankStats s = new RankStats();
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.round(random.nextDouble() * 1000) / 1000.0;
      y[i] = random.nextDouble() < p[i];
      s.add(p[i], y[i]);
    }
    double concordant = 0;
    long pairs = 0;
    for (int i = 0; i < p.length; i++) {
      for (int j = 0; j < p.length; j++) {
        if (y[i] && !y[j]) {
          pairs++;
          concordant += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
        }
      }
    }
    assertThat(s.auc()).isCloseTo(concordant / pairs, within(1e-9));
  }

  @Test
  void oneClassOnly_hasAucOneHalf() {
    RankStats s = stats(2, i -> i == 0 ? 0.3 : 0.9, i -> false);
    assertThat(s.auc()).isEqualTo(0.5);
    assertThat(new RankStats().toJson().getJsonArray("lift")).hasSize(10);
  }

  @Test
  void decileRates_shareABinStraddlingADecileBoundary() {
    RankStats s = stats(20, i -> 0.5, i -> i % 2 == 0); // one bin, pay rate 0.5 everywhere
    for (double r : s.decileRates()) {
      assertThat(r).isCloseTo(0.5, within(1e-9));
    }
  }
}
