package dev.beacon.scoring;

import dev.beacon.app.Services;
import dev.beacon.config.BeaconConfig;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(BeaconExtension.class)
@Timeout(90)
class ScoringVerticleIT {

  static BeaconConfig.Scoring scoring(String interval) {
    return BeaconConfig.of(new JsonObject()
        .put("scoring", new JsonObject().put("interval", interval).put("chunkSize", 7))).scoring();
  }

  @Test
  @DisplayName("the verticle runs every interval, each run starting an interval after the previous one ended")
  void schedule_runsRepeatedly_neverOverlapping(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    kit.debtors(20);
    List<ScoringJob.Run> runs = new CopyOnWriteArrayList<>();
    String id = await(app.vertx.deployVerticle(new ScoringVerticle(app.pool, scoring("50ms"), runs::add)));
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> runs.size() >= 5);
    } finally {
      await(app.vertx.undeploy(id));
    }
    List<ScoringJob.Run> seen = new ArrayList<>(runs);
    assertThat(seen.get(0).full()).isTrue();
    assertThat(seen.get(0).scored()).isEqualTo(20); // three chunks of 7
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).ran()).isTrue();
      assertThat(seen.get(i).full()).isFalse();
      assertThat(seen.get(i).scored()).isZero();
      long gapMs = (seen.get(i).startNanos() - seen.get(i - 1).endNanos()) / 1_000_000;
      assertThat(gapMs).isGreaterThanOrEqualTo(45);
    }
  }

  @Test
  @DisplayName("two deployments against one database: each debtor is scored once, by one of them")
  void twoDeployments_eachRunHappensOnce(TestApp app) {
    ScoringKit kit = new ScoringKit(app);
    kit.debtors(40);
    Vertx other = Vertx.vertx();
    Pool otherPool = app.database.pool(other, 4);
    List<ScoringJob.Run> mine = new CopyOnWriteArrayList<>();
    List<ScoringJob.Run> theirs = new CopyOnWriteArrayList<>();
    String a = await(app.vertx.deployVerticle(new ScoringVerticle(app.pool, scoring("20ms"), mine::add)));
    String b = await(other.deployVerticle(new ScoringVerticle(otherPool, scoring("20ms"), theirs::add)));
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> mine.size() >= 6 && theirs.size() >= 6);
    } finally {
      await(app.vertx.undeploy(a));
      await(other.undeploy(b));
      await(otherPool.close());
      await(other.close());
    }
    List<ScoringJob.Run> all = new ArrayList<>(mine);
    all.addAll(theirs);
    assertThat(all.stream().filter(r -> r.ran() && r.full()).count()).isEqualTo(1);
    assertThat(all.stream().mapToInt(ScoringJob.Run::scored).sum()).isEqualTo(40);
    assertThat(kit.count("SELECT count(*) FROM score_history")).isEqualTo(40);
    assertThat(kit.count("SELECT count(DISTINCT debtor_id) FROM score_history")).isEqualTo(40);
  }
}
