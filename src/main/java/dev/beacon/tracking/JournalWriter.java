package dev.beacon.tracking;

import dev.beacon.http.Problem;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The hot path's group-commit writer, one per HTTP verticle instance, used only on that instance's event loop.
 * Requests are queued; one flush at a time writes everything queued (up to {@code batchMax} rows) into the
 * journal in one INSERT and completes each request's Future only once it has committed; the {@link Enricher}
 * does the rest later. While a flush is in flight the next batch accumulates; a batch that has waited
 * {@code tracking.flushHedge} for a slot flushes on a spare one ({@link FlushGate#hedge}). At most
 * {@code capacity} requests are accepted and unanswered, and nothing is accepted while the journal's backlog
 * is over its bound; beyond either {@link #submit} answers a failed Future ({@link #OVERLOADED}) at once and counts it.
 */
final class JournalWriter {
  private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);
  /** What a shed or stopped request fails with: 503 with Retry-After. */
  static final Problem OVERLOADED = Problem.overloaded(1);
  private static final Future<Void> SHED = Future.failedFuture(OVERLOADED);
  private static final Problem UNAVAILABLE = Problem.unavailable("The database did not accept the event", 1);

  private record Pending(Journal.Entry entry, Promise<Void> promise) {}

  private final Context context;
  private final Pool pool;
  private final int capacity;
  private final int batchMax;
  private final TrackingStats stats;
  private final FlushGate gate;
  private final BooleanSupplier backlogFull;
  /** The timer that asks for a spare slot, while waiting for one; -1: none. */
  private long hedgeTimer = -1;
  /** Handed a slot of the gate: flush on this writer's event loop (or pass the slot on once stopped). */
  private final FlushGate.Waiter onSlot = this::slotGranted;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** Written only on the writer's event loop; volatile so that gauges and readiness read a recent value. */
  private volatile int outstanding;
  /** A flush is waiting for a slot, scheduled or in flight. */
  private boolean flushing;
  private volatile boolean stopped;
  private Promise<Void> drained;

  JournalWriter(Context context, Pool pool, int capacity, int batchMax, TrackingStats stats, FlushGate gate,
                BooleanSupplier backlogFull) {
    this.context = context;
    this.pool = pool;
    this.capacity = capacity;
    this.batchMax = batchMax;
    this.stats = stats;
    this.gate = gate;
    this.backlogFull = backlogFull;
  }

  /** Requests accepted and not yet answered. */
  int outstanding() {
    return outstanding;
  }

  int capacity() {
    return capacity;
  }

  /** Succeeds once the entry is committed to the journal; fails with 503 when shed or not written. */
  Future<Void> submit(Journal.Entry entry) {
    if (stopped || outstanding >= capacity || backlogFull.getAsBoolean()) {
      stats.shed();
      return SHED;
    }
    outstanding++;
    Promise<Void> p = Promise.promise();
    queue.add(new Pending(entry, p));
    if (!flushing) {
      flushing = true;
      requestSlot();
    }
    return p.future();
  }

  private void requestSlot() {
    if (gate.acquire(onSlot)) {
      // Let the requests read in this event-loop turn join the batch.
      context.runOnContext(v -> flush(false));
    } else if (gate.hedgeMillis() > 0) {
      hedgeTimer = context.owner().setTimer(gate.hedgeMillis(), id -> hedge());
    }
  }

  /** Still in line after the gate's hedge delay: flush on a spare slot if one is free, else keep waiting. */
  private void hedge() {
    hedgeTimer = -1;
    if (!stopped && gate.hedge(onSlot)) {
      stats.hedged();
      flush(true);
    }
  }

  private void slotGranted() {
    if (stopped) {
      gate.release();
    } else {
      context.runOnContext(v -> flush(false));
    }
  }

  private void cancelHedge() {
    if (hedgeTimer != -1) {
      context.owner().cancelTimer(hedgeTimer);
      hedgeTimer = -1;
    }
  }

  private void giveBack(boolean spare) {
    if (spare) {
      gate.returnSpare();
    } else {
      gate.release();
    }
  }

  /**
   * Holds a slot of the gate (or a spare one): writes what is queued, gives the slot back, and asks again if
   * more came.
   */
  private void flush(boolean spare) {
    cancelHedge();
    if (queue.isEmpty()) {
      giveBack(spare);
      idle();
      return;
    }
    int n = Math.min(queue.size(), batchMax);
    List<Pending> batch = new ArrayList<>(n);
    List<Journal.Entry> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Pending p = queue.poll();
      batch.add(p);
      rows.add(p.entry());
    }
    stats.batch();
    long started = System.nanoTime();
    pool.preparedQuery(Journal.INSERT).execute(Journal.insertTuple(rows)).onComplete(ar -> {
      // Committed or failed: the next flush may start while this one answers.
      giveBack(spare);
      outstanding -= n;
      if (ar.succeeded()) {
        stats.committed(n);
        stats.statement(n, System.nanoTime() - started);
        for (Pending p : batch) {
          p.promise().complete();
        }
      } else {
        stats.failed(n);
        LOG.warn("Tracking batch of {} failed: {}", n, ar.cause().toString());
        for (Pending p : batch) {
          p.promise().fail(UNAVAILABLE);
        }
      }
      if (queue.isEmpty()) {
        idle();
      } else {
        requestSlot();
      }
    });
  }

  private void idle() {
    flushing = false;
    if (drained != null && outstanding == 0) {
      drained.tryComplete();
    }
  }

  /**
   * Stops accepting: requests still queued are answered 503 now, those in flight complete when their statement
   * does. The Future completes when nothing is outstanding.
   */
  Future<Void> stop() {
    stopped = true;
    int dropped = queue.size();
    Pending p;
    while ((p = queue.poll()) != null) {
      outstanding--;
      stats.shed();
      p.promise().fail(OVERLOADED);
    }
    if (flushing && gate.withdraw(onSlot)) {
      flushing = false;
    }
    cancelHedge();
    if (dropped > 0) {
      LOG.info("Tracking writer stopping: {} queued requests answered 503", dropped);
    }
    if (outstanding == 0) {
      return Future.succeededFuture();
    }
    drained = Promise.promise();
    return drained.future();
  }
}
