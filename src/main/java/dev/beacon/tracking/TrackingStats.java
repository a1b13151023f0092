package dev.beacon.tracking;

import dev.beacon.metrics.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The tracking writer's counters, in Vert.x's Micrometer registry when metrics are enabled (else in a
 * process-wide simple registry), shared by every verticle instance: events committed, requests shed because
 * the queue was full (pixels and clicks are still answered), events whose statement failed, batches; the batch
 * sizes and commit latency of the writer, committed email events by label and events for unknown tokens.
 */
public final class TrackingStats {
  private final Counter committed;
  private final Counter shed;
  private final Counter failed;
  private final Counter batches;
  private final DistributionSummary batchSize;
  private final Timer commitLatency;
  private final Counter unknownTokens;
  private final Counter insertOnly;
  private final Counter applying;
  private final Map<Classifier.Label, Counter> byLabel = new EnumMap<>(Classifier.Label.class);

  /** A snapshot of the counters. */
  public record Snapshot(long committed, long shed, long failed, long batches, long insertOnly, long applying,
                         long statements, double statementSeconds) {}

  private TrackingStats(MeterRegistry registry) {
    committed = counter(registry, "committed", "Tracking events committed");
    shed = counter(registry, "shed", "Tracking requests not recorded because the writer queue was full");
    failed = counter(registry, "failed", "Tracking events whose statement failed");
    batches = Counter.builder("beacon_tracking_batches").description("Tracking writer flushes").register(registry);
    batchSize = DistributionSummary.builder("beacon_tracking_batch_size")
        .description("Requests written by one tracking statement").publishPercentileHistogram()
        .minimumExpectedValue(1.0).maximumExpectedValue(10_000.0).register(registry);
    commitLatency = Timer.builder("beacon_tracking_commit")
        .description("Time from sending a tracking batch statement to its commit").publishPercentileHistogram()
        .register(registry);
    unknownTokens = Counter.builder("beacon_tracking_unknown_tokens")
        .description("Tracking events dropped because no debtor has their token").register(registry);
    insertOnly = statements(registry, "insert_only");
    applying = statements(registry, "apply");
    for (Classifier.Label l : Classifier.Label.values()) {
      byLabel.put(l, Counter.builder("beacon_tracking_email_events").tag("label", l.name().toLowerCase())
          .description("Email opens and clicks committed, by classification label").register(registry));
    }
  }

  /** Gauges over every writer of a Vert.x instance: requests queued or in flight, and the fullest queue. */
  static void gauges(WriterLoad load) {
    MeterRegistry registry = Meters.registry();
    Gauge.builder("beacon_tracking_queue_depth", load, WriterLoad::outstanding)
        .description("Tracking requests accepted and not yet answered, over every writer").register(registry);
    Gauge.builder("beacon_tracking_queue_fill_max", load, WriterLoad::maxFill)
        .description("The fullest writer queue as a fraction of tracking.queueCapacity").register(registry);
  }

  /** The counters in the current metrics registry. */
  public static TrackingStats current() {
    return new TrackingStats(Meters.registry());
  }

  private static Counter counter(MeterRegistry registry, String outcome, String description) {
    return Counter.builder("beacon_tracking_events").tag("outcome", outcome).description(description)
        .register(registry);
  }

  /** Opens/clicks and new page views statements by kind: insert only (everything settled) or applying updates. */
  private static Counter statements(MeterRegistry registry, String kind) {
    return Counter.builder("beacon_tracking_statements").tag("kind", kind)
        .description("Tracking insert statements: insert_only when every human event in the batch changed no "
            + "message or debtor (known settled), apply when they also updated communications and debtors")
        .register(registry);
  }

  void statementKind(boolean onlyInsert) {
    (onlyInsert ? insertOnly : applying).increment();
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

  /** One statement of {@code size} requests committed after {@code nanos}. */
  void statement(int size, long nanos) {
    batchSize.record(size);
    commitLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  void unknownTokens(int n) {
    if (n > 0) {
      unknownTokens.increment(n);
    }
  }

  void label(Classifier.Label label, int n) {
    if (n > 0) {
      byLabel.get(label).increment(n);
    }
  }

  public Snapshot snapshot() {
    return new Snapshot((long) committed.count(), (long) shed.count(), (long) failed.count(), (long) batches.count(),
        (long) insertOnly.count(), (long) applying.count(), commitLatency.count(),
        commitLatency.totalTime(TimeUnit.NANOSECONDS) / 1e9);
  }
}
