package dev.beacon.scoring;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RankStatsTest {

  @Test
  void perfectRanking_hasAucOne_andAllPayersInTheTopDecile() {
    RankStats s = new RankStats();
    for (int i = 0; i < 100; i++) {
      s.add(i / 100.0, i >= 90);
    }
    assertThat(s.auc()).isEqualTo(1.0);
    assertThat(s.decileRates()[0]).isCloseTo(1.0, within(1e-9));
    assertThat(s.decileRates()[9]).isZero();
    assertThat(s.debtors()).isEqualTo(100);
    assertThat(s.payers()).isEqualTo(10);
  }

  @Test
  void reversedRanking_hasAucZero() {
    RankStats s = new RankStats();
    for (int i = 0; i < 100; i++) {
      s.add(i / 100.0, i < 30);
    }
    assertThat(s.auc()).isZero();
  }

  @Test
  void ties_countHalf() {
    RankStats s = new RankStats();
    s.add(0.5, true);
    s.add(0.5, false);
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
    RankStats s = new RankStats();
    s.add(0.3, false);
    s.add(0.9, false);
    assertThat(s.auc()).isEqualTo(0.5);
    assertThat(new RankStats().toJson().getJsonArray("lift")).hasSize(10);
  }

  @Test
  void decileRates_shareABinStraddlingADecileBoundary() {
    RankStats s = new RankStats();
    for (int i = 0; i < 20; i++) {
      s.add(0.5, i % 2 == 0); // one bin, pay rate 0.5 everywhere
    }
    for (double r : s.decileRates()) {
      assertThat(r).isCloseTo(0.5, within(1e-9));
    }
  }
}
