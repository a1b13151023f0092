package dev.beacon.scoring;

import dev.beacon.db.AdvisoryLock;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One scoring run: under a PostgreSQL advisory lock (one process of a fleet at a time), rescore the debtors with
 * activity since the last run's watermark — or everyone when the last full run is a day old — chunk by chunk,
 * then move the watermark. The watermark is the run's start, or the request time of the oldest tracking event
 * still waiting in the journal when earlier (it reaches the event tables with that time, after this run). A run
 * that fails leaves the watermark where it was, so the next run redoes its work.
 */
public final class ScoringJob {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringJob.class);
  /** Everyone is rescored once a day, so decay moves scores without new events. */
  static final Duration FULL_EVERY = Duration.ofDays(1);
  /**
   * Activity is looked for since the last run's watermark minus this, so a row written by a transaction that was
   * still open when the last run started (its timestamps are earlier than its commit) is not missed.
   */
  static final Duration LATE_COMMIT_ALLOWANCE = Duration.ofSeconds(10);
  /** The middle and the end of the id space as PostgreSQL orders uuids (unsigned bytes). */
  static final UUID HALF = UUID.fromString("7fffffff-ffff-ffff-ffff-ffffffffffff");
  static final UUID LAST = UUID.fromString("ffffffff-ffff-ffff-ffff-ffffffffffff");

  /** What one run did; {@code ran} is false when another process held the lock. */
  public record Run(boolean ran, boolean full, int scored, int changed, String modelVersion, long startNanos,
                    long endNanos) {
    public long tookMs() {
      return (endNanos - startNanos) / 1_000_000;
    }

    public JsonObject toJson() {
      return new JsonObject().put("scored", scored).put("tookMs", tookMs());
    }
  }

  private final Pool pool;
  private final ScoringRepository repo;
  private final ModelCatalog models;
  private final FeatureQuery features;
  private final ScoreWriter writer;
  private final int chunkSize;

  public ScoringJob(Pool pool, String configuredModel, int chunkSize) {
    this.pool = pool;
    this.repo = new ScoringRepository(pool);
    this.models = new ModelCatalog(repo, configuredModel);
    this.features = new FeatureQuery(pool);
    this.writer = new ScoreWriter(pool);
    this.chunkSize = chunkSize;
  }

  /** Scores the debtors due now ({@code forceFull}: everyone); does nothing when another process is scoring. */
  public Future<Run> runOnce(boolean forceFull) {
    ScoringStats stats = ScoringStats.current();
    return locked(forceFull).onSuccess(stats::completed).onFailure(t -> stats.failed());
  }

  private Future<Run> locked(boolean forceFull) {
    long start = System.nanoTime();
    return AdvisoryLock.tryWith(pool, AdvisoryLock.Key.SCORING_JOB, lock -> score(lock, forceFull, start),
        () -> new Run(false, false, 0, 0, null, start, System.nanoTime()));
  }

  private Future<Run> score(SqlConnection lock, boolean forceFull, long start) {
    return repo.state().compose(state -> models.active().compose(model -> {
      OffsetDateTime now = state.now();
      boolean full = forceFull || state.lastRunAt() == null || state.lastFullAt() == null
          || !state.lastFullAt().plus(FULL_EVERY).isAfter(now);
      OffsetDateTime since = full ? null : state.lastRunAt().minus(LATE_COMMIT_ALLOWANCE);
      AtomicInteger changed = new AtomicInteger();
      AtomicInteger scoredCount = new AtomicInteger();
      Future<Void> work;
      if (full) {
        // Two halves of the id space side by side: two database backends work at once (join: the run, and so the
        // lock, ends only when both have, even when one fails).
        work = Future.join(
                pipeline(after -> repo.idsUpTo(after, chunkSize, HALF), true, now, model, ScoringRepository.FIRST,
                    Future.succeededFuture(), changed, scoredCount),
                pipeline(after -> repo.idsUpTo(after, chunkSize, LAST), true, now, model, HALF,
                    Future.succeededFuture(), changed, scoredCount))
            .mapEmpty();
      } else {
        // The changed debtors are found once, by a cursor on the lock's connection (idle otherwise): a read-only
        // transaction that ends before the lock is released. Two pipelines take chunks from it side by side, so
        // the chunks of a busy interval are scored and written by two database backends at once (join: the run
        // ends when both have, even when one fails).
        work = lock.begin().compose(tx -> ChangedIds.open(lock, since)
            .compose(changedIds -> Future.join(
                    pipeline(after -> changedIds.next(chunkSize), false, now, model, ScoringRepository.FIRST,
                        Future.succeededFuture(), changed, scoredCount),
                    pipeline(after -> changedIds.next(chunkSize), false, now, model, ScoringRepository.FIRST,
                        Future.succeededFuture(), changed, scoredCount))
                .<Void>mapEmpty()
                .eventually(changedIds::close))
            .eventually(tx::rollback));
      }
      return work
          .compose(done -> repo.finish(state.watermark(), now, full).map(x -> {
            Run run = new Run(true, full, scoredCount.get(), changed.get(), model.version(), start, System.nanoTime());
            LOG.info("Scoring run ({}, model {}): {} debtors scored, {} changed, {} ms", full ? "full" : "incremental",
                model.version(), run.scored(), run.changed(), run.tookMs());
            return run;
          }));
    }));
  }

  /**
   * Scores chunk after chunk: the features of the next chunk are read while the previous chunk's changes are
   * written, so at most two chunks are held at a time.
   */
  private Future<Void> pipeline(Function<UUID, Future<List<UUID>>> nextIds, boolean contiguous,
                                OffsetDateTime now, PropensityModel model, UUID after, Future<Void> previousWrite,
                                AtomicInteger changed, AtomicInteger scored) {
    return nextIds.apply(after).compose(ids -> {
      if (ids.isEmpty()) {
        return previousWrite;
      }
      return features.read(ids, now, now, contiguous)
          .compose(chunk -> previousWrite.map(chunk))
          .compose(chunk -> {
            scored.addAndGet(chunk.size());
            Future<Void> write = writer.write(changes(model, chunk), model.version(), now)
                .map(n -> {
                  changed.addAndGet(n);
                  return null;
                });
            return ids.size() < chunkSize ? write
                : pipeline(nextIds, contiguous, now, model, ids.get(ids.size() - 1), write, changed, scored);
          });
    });
  }

  /** The scores that differ from the stored ones, or whose history row is missing or of another model. */
  static List<ScoreWriter.Scored> changes(PropensityModel model, List<FeatureQuery.Features> features) {
    List<ScoreWriter.Scored> out = new ArrayList<>();
    for (FeatureQuery.Features f : features) {
      PropensityModel.Score s = model.score(f.status(), f.raw());
      boolean update = s.score() != f.current();
      boolean record = f.lastScore() == null || f.lastScore() != s.score() || !model.version().equals(f.lastModel());
      if (update || record) {
        out.add(new ScoreWriter.Scored(f.id(), s.score(), s.factorsText(), f.lastScore(), update,
            record));
      }
    }
    return out;
  }
}
