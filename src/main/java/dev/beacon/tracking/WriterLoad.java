package dev.beacon.tracking;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The tracking writers of one Vert.x instance (one per HTTP verticle instance), for the queue-depth gauge and
 * for readiness, and the {@link FlushGate} they share. Reads are racy snapshots of counters owned by each
 * writer's event loop, which is all a gauge or a health check needs.
 */
public final class WriterLoad implements Shareable {
  private static final String MAP = "beacon.tracking";
  private static final String KEY = "writers";
  private final Set<EventWriter> writers = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean metered = new AtomicBoolean();
  private FlushGate gate;

  private WriterLoad() {}

  /** The writers of this Vert.x instance. */
  public static WriterLoad of(Vertx vertx) {
    return (WriterLoad) vertx.sharedData().getLocalMap(MAP).computeIfAbsent(KEY, k -> new WriterLoad());
  }

  /** The process's flush slots, created with the first writer's {@code tracking.flushSlots}. */
  synchronized FlushGate gate(int slots) {
    if (gate == null) {
      gate = new FlushGate(slots);
    }
    return gate;
  }

  void add(EventWriter w) {
    writers.add(w);
    if (metered.compareAndSet(false, true)) {
      TrackingStats.gauges(this);
    }
  }

  void remove(EventWriter w) {
    writers.remove(w);
  }

  /** Requests accepted and not yet answered, over every writer. */
  public int outstanding() {
    return writers.stream().mapToInt(EventWriter::outstanding).sum();
  }

  /** The fullest writer's fill ratio (0 when there is none): outstanding / capacity. */
  public double maxFill() {
    return writers.stream().mapToDouble(w -> (double) w.outstanding() / w.capacity()).max().orElse(0);
  }

  public int writers() {
    return writers.size();
  }
}
