package dev.beacon.tracking;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The tracking writers of one Vert.x instance (one per HTTP verticle instance), for the queue-depth gauge and
 * for readiness, the {@link FlushGate} they share, and the journal's backlog as the {@link Enricher} last
 * measured it (which sheds the writers when over {@code tracking.journalBacklogMax}). Reads are racy snapshots of counters owned by each
 * writer's event loop, which is all a gauge or a health check needs.
 */
public final class WriterLoad implements Shareable {
  private static final String MAP = "beacon.tracking";
  private static final String KEY = "writers";
  private final Set<JournalWriter> writers = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean metered = new AtomicBoolean();
  private FlushGate gate;
  private volatile long backlog;
  private volatile double lagSeconds;
  private volatile boolean backlogFull;

  private WriterLoad() {}

  /** The writers of this Vert.x instance. */
  public static WriterLoad of(Vertx vertx) {
    return (WriterLoad) vertx.sharedData().getLocalMap(MAP).computeIfAbsent(KEY, k -> new WriterLoad());
  }

  /** The process's flush slots, created with the first writer's {@code tracking.flushSlots} and flushHedge. */
  synchronized FlushGate gate(int slots, long hedgeMillis) {
    if (gate == null) {
      gate = new FlushGate(slots, hedgeMillis);
    }
    return gate;
  }

  void add(JournalWriter w) {
    writers.add(w);
    if (metered.compareAndSet(false, true)) {
      TrackingStats.gauges(this);
    }
  }

  void remove(JournalWriter w) {
    writers.remove(w);
  }

  /** Requests accepted and not yet answered, over every writer. */
  public int outstanding() {
    return writers.stream().mapToInt(JournalWriter::outstanding).sum();
  }

  /** The fullest writer's fill ratio (0 when there is none): outstanding / capacity. */
  public double maxFill() {
    return writers.stream().mapToDouble(w -> (double) w.outstanding() / w.capacity()).max().orElse(0);
  }

  public int writers() {
    return writers.size();
  }

  /** Journal rows not yet enriched, at the last measurement. */
  public long backlog() {
    return backlog;
  }

  /** Seconds since the oldest journal row not yet enriched was accepted (0 when the journal is empty). */
  public double lagSeconds() {
    return lagSeconds;
  }

  /** The backlog is over its bound: writers shed. */
  public boolean backlogFull() {
    return backlogFull;
  }

  void journal(long rows, double lag, boolean full) {
    backlog = rows;
    lagSeconds = lag;
    backlogFull = full;
  }
}
