package dev.beacon.tracking;

import dev.beacon.metrics.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.ToDoubleFunction;
import java.util.stream.LongStream;

/**
 * The tracking writer's counters, in Vert.x's Micrometer registry when metrics are enabled (else in a
 * process-wide simple registry), shared by every verticle instance: events committed, requests shed because
 * the queue was full (pixels and clicks are still answered), events whose statement failed, batches; the batch
 * sizes and commit latency of the journal writer; and the enricher's: rows moved, batch time, how long events
 * took to become visible, enriched email events by label and events for unknown tokens.
 */
public final class TrackingStats {
  private final Counter committed;
  private final Counter shed;
  private final Counter failed;
  private final Counter batches;
  private final Counter hedged;
  private final DistributionSummary batchSize;
  private final Timer commitLatency;
  private final Counter unknownTokens;
  private final Map<Classifier.Label, Counter> byLabel = new EnumMap<>(Classifier.Label.class);
  private final Counter enriched;
  private final Counter rejected;
  private final Counter vacuums;
  private final Timer enrichBatch;
  private final Timer visible;

  /** A snapshot of the counters. */
  public record Snapshot(long committed, long shed, long failed, long batches, long hedged, long statements,
                         double statementSeconds, long enriched) {}

  /** Finer buckets where the freshness targets are (1 s median, 3 s p99). */
  private static final Duration[] FRESHNESS_BUCKETS = LongStream.of(25, 50, 100, 150,
      200, 300, 400, 500, 600, 700, 800, 900, 1000, 1250, 1500, 2000, 2500, 3000, 4000, 5000)
      .mapToObj(Duration::ofMillis).toArray(Duration[]::new);

  private TrackingStats(MeterRegistry registry) {
    committed = counter(registry, "committed", "Tracking requests committed to the journal");
    shed = counter(registry, "shed", "Tracking requests not recorded because the writer queue was full or the journal's backlog over its bound");
    failed = counter(registry, "failed", "Tracking events whose statement failed");
    batches = Counter.builder("beacon_tracking_batches").description("Tracking writer flushes").register(registry);
    hedged = Counter.builder("beacon_tracking_batches_hedged")
        .description("Tracking writer flushes that waited tracking.flushHedge for a slot and ran on a spare one")
        .register(registry);
    batchSize = DistributionSummary.builder("beacon_tracking_batch_size")
        .description("Requests written by one tracking statement").publishPercentileHistogram()
        .minimumExpectedValue(1.0).maximumExpectedValue(10_000.0).register(registry);
    commitLatency = Timer.builder("beacon_tracking_commit")
        .description("Time from sending a tracking batch statement to its commit").publishPercentileHistogram()
        .register(registry);
    unknownTokens = Counter.builder("beacon_tracking_unknown_tokens")
        .description("Tracking events dropped because no debtor has their token").register(registry);
    enriched = Counter.builder("beacon_tracking_enriched")
        .description("Journal rows moved into the event tables (unknown tokens included, dropped there)")
        .register(registry);
    rejected = Counter.builder("beacon_tracking_journal_rejected")
        .description("Journal rows the event tables refused (invalid data), set aside in tracking_journal_rejected")
        .register(registry);
    vacuums = Counter.builder("beacon_tracking_journal_vacuums")
        .description("VACUUMs of tracking_journal run by the enricher after the rows it deleted")
        .register(registry);
    enrichBatch = Timer.builder("beacon_tracking_enrich_batch")
        .description("Time of one enrichment transaction, from reading the journal to its commit")
        .publishPercentileHistogram().register(registry);
    visible = Timer.builder("beacon_tracking_visible_after")
        .description("Time from accepting a tracking request to its event's commit in the event tables")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10)).serviceLevelObjectives(FRESHNESS_BUCKETS)
        .register(registry);
    for (Classifier.Label l : Classifier.Label.values()) {
      byLabel.put(l, Counter.builder("beacon_tracking_email_events").tag("label", l.name().toLowerCase())
          .description("Email opens and clicks committed, by classification label").register(registry));
    }
  }

  /** Gauges over every writer of a Vert.x instance: requests queued or in flight, and the fullest queue. */
  static void gauges(WriterLoad load) {
    gauge("beacon_tracking_queue_depth", load, WriterLoad::outstanding,
        "Tracking requests accepted and not yet answered, over every writer");
    gauge("beacon_tracking_queue_fill_max", load, WriterLoad::maxFill,
        "The fullest writer queue as a fraction of tracking.queueCapacity");
  }

  /** Gauges of the journal as this process last measured it: rows not yet enriched and the oldest one's age. */
  static void journalGauges(WriterLoad load) {
    gauge("beacon_tracking_journal_backlog", load, WriterLoad::backlog,
        "Tracking journal rows accepted and not yet moved into the event tables");
    gauge("beacon_tracking_journal_lag_seconds", load, WriterLoad::lagSeconds,
        "Age of the oldest tracking journal row not yet enriched");
  }

  private static void gauge(String name, WriterLoad load, ToDoubleFunction<WriterLoad> value, String description) {
    Gauge.builder(name, load, value).description(description).register(Meters.registry());
  }

  /** The counters in the current metrics registry. */
  public static TrackingStats current() {
    return new TrackingStats(Meters.registry());
  }

  private static Counter counter(MeterRegistry registry, String outcome, String description) {
    return Counter.builder("beacon_tracking_events").tag("outcome", outcome).description(description)
        .register(registry);
  }

  void committed(int n) {
    committed.increment(n);
  }

  void shed() {
    shed.increment();
  }

  void failed(int n) {
    failed.increment(n);
  }

  void batch() {
    batches.increment();
  }

  void hedged() {
    hedged.increment();
  }

  /** One statement of {@code size} requests committed after {@code nanos}. */
  void statement(int size, long nanos) {
    batchSize.record(size);
    commitLatency.record(nanos, TimeUnit.NANOSECONDS);
    LongConsumer o = commitObserver;
    if (o != null) {
      o.accept(nanos);
    }
  }

  private static volatile LongConsumer commitObserver;

  /**
   * Also hands every writer statement's time from sending to commit (ns) to {@code observer}, on the writer's
   * event loop (the benchmark's statement-to-commit percentiles of one run). Null: none.
   */
  public static void observeCommits(LongConsumer observer) {
    commitObserver = observer;
  }

  void unknownTokens(int n) {
    if (n > 0) {
      unknownTokens.increment(n);
    }
  }

  void rejected() {
    rejected.increment();
  }

  void vacuumed() {
    vacuums.increment();
  }

  /** Journal rows set aside in tracking_journal_rejected by this process. */
  public long rejectedRows() {
    return (long) rejected.count();
  }

  void enriched(int rows, long nanos) {
    enriched.increment(rows);
    enrichBatch.record(nanos, TimeUnit.NANOSECONDS);
  }

  void visibleAfter(Duration d) {
    visible.record(d);
    LongConsumer o = freshnessObserver;
    if (o != null) {
      o.accept(d.toNanos());
    }
  }

  private static volatile LongConsumer freshnessObserver;

  /**
   * Also hands every event's time from accepted to visible (ns) to {@code observer}, on the enricher's event
   * loop (the benchmark's exact freshness percentiles; the timer's histogram is windowed). Null: none.
   */
  public static void observeFreshness(LongConsumer observer) {
    freshnessObserver = observer;
  }

  public long enrichedRows() {
    return (long) enriched.count();
  }

  void label(Classifier.Label label, int n) {
    if (n > 0) {
      byLabel.get(label).increment(n);
    }
  }

  public Snapshot snapshot() {
    return new Snapshot((long) committed.count(), (long) shed.count(), (long) failed.count(), (long) batches.count(),
        (long) hedged.count(), commitLatency.count(), commitLatency.totalTime(TimeUnit.NANOSECONDS) / 1e9,
        (long) enriched.count());
  }
}
