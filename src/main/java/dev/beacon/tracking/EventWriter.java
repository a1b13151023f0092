package dev.beacon.tracking;

import dev.beacon.db.PgErrors;
import dev.beacon.http.Problem;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Group-commit writer, one per HTTP verticle instance, used only on that instance's event loop. Requests are
 * queued; one flush at a time writes everything queued (up to {@code batchMax} rows per table) in one statement
 * per table and completes each request's Future only once its statement has committed. While a flush is in
 * flight the next batch accumulates. At most {@code capacity} requests are accepted and unanswered; beyond
 * that {@link #submitEmail} and friends answer a failed Future ({@link #OVERLOADED}) at once and count it.
 * A batch whose human events are all {@link Settled settled} (their message already flagged, their debtor's
 * last response within the minute; machine and scanner events always are) needs no update of communications
 * or debtors: opens and new page views whose tokens are resolved go in as a plain INSERT by debtor id, other
 * settled batches through the insert-only statement. The others get the full statement, whose per-row answer
 * teaches {@link Settled} what is now settled.
 */
final class EventWriter {
  private static final Logger LOG = LoggerFactory.getLogger(EventWriter.class);
  /** What a shed or stopped request fails with: 503 with Retry-After. */
  static final Problem OVERLOADED = Problem.overloaded(1);
  private static final Future<Void> SHED = Future.failedFuture(OVERLOADED);

  private record Pending<T>(T item, Promise<Void> promise) {}

  private final Context context;
  private final Pool pool;
  private final int capacity;
  private final int batchMax;
  private final Duration sendWindow;
  private final TrackingStats stats;
  private final FlushGate gate;
  /** Handed a slot of the gate: flush on this writer's event loop (or pass the slot on once stopped). */
  private final FlushGate.Waiter onSlot = this::slotGranted;
  private final Settled settled = new Settled(EventSql.RESPONSE_STEP);
  private final ArrayDeque<Pending<EventSql.EmailEvent>> emails = new ArrayDeque<>();
  private final ArrayDeque<Pending<EventSql.NewView>> views = new ArrayDeque<>();
  private final ArrayDeque<Pending<EventSql.ViewUpdate>> updates = new ArrayDeque<>();
  /** Written only on the writer's event loop; volatile so that gauges and readiness read a recent value. */
  private volatile int outstanding;
  /** A flush is waiting for a slot, scheduled or in flight. */
  private boolean flushing;
  private volatile boolean stopped;
  private Promise<Void> drained;

  EventWriter(Context context, Pool pool, int capacity, int batchMax, Duration sendWindow, TrackingStats stats,
              FlushGate gate) {
    this.context = context;
    this.gate = gate;
    this.pool = pool;
    this.capacity = capacity;
    this.batchMax = batchMax;
    this.sendWindow = sendWindow;
    this.stats = stats;
  }

  Future<Void> submitEmail(EventSql.EmailEvent e) {
    return submit(emails, e);
  }

  Future<Void> submitView(EventSql.NewView v) {
    return submit(views, v);
  }

  Future<Void> submitUpdate(EventSql.ViewUpdate u) {
    return submit(updates, u);
  }

  /** Requests accepted and not yet answered. */
  int outstanding() {
    return outstanding;
  }

  int capacity() {
    return capacity;
  }

  private <T> Future<Void> submit(ArrayDeque<Pending<T>> queue, T item) {
    if (stopped || outstanding >= capacity) {
      stats.shed();
      return SHED;
    }
    outstanding++;
    Promise<Void> p = Promise.promise();
    queue.add(new Pending<>(item, p));
    if (!flushing) {
      flushing = true;
      requestSlot();
    }
    return p.future();
  }

  private void requestSlot() {
    if (gate.acquire(onSlot)) {
      // Let the requests read in this event-loop turn join the batch.
      context.runOnContext(v -> flush());
    }
  }

  private void slotGranted() {
    if (stopped) {
      gate.release();
    } else {
      context.runOnContext(v -> flush());
    }
  }

  /** Holds a slot of the gate: writes what is queued, gives the slot back, and asks again if more came. */
  private void flush() {
    if (emails.isEmpty() && views.isEmpty() && updates.isEmpty()) {
      gate.release();
      idle();
      return;
    }
    stats.batch();
    List<Pending<EventSql.EmailEvent>> emailBatch = take(emails);
    List<Pending<EventSql.NewView>> viewBatch = take(views);
    Future<Runnable> e = writeEmails(emailBatch);
    Future<Runnable> v = writeViews(viewBatch);
    Future<Runnable> u = write(EventSql.UPDATE_VIEW, take(updates), EventSql::updateTuple, (rows, result) -> { });
    Future.join(e, v, u)
        .onComplete(ar -> {
          // Every statement has committed or failed: the next flush may start while this one answers.
          gate.release();
          e.result().run();
          v.result().run();
          u.result().run();
          if (emails.isEmpty() && views.isEmpty() && updates.isEmpty()) {
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
   * Settled opens of resolved tokens: the plain insert by debtor id. Other settled batches: the insert-only
   * statement (which resolves the tokens). The rest: the full statement.
   */
  private Future<Runnable> writeEmails(List<Pending<EventSql.EmailEvent>> batch) {
    if (batch.isEmpty()) {
      return NOTHING;
    }
    List<EventSql.EmailEvent> rows = batch.stream().map(Pending::item).toList();
    boolean covered = rows.stream().allMatch(settled::covers);
    List<UUID> ids = covered && EventSql.opensOnly(rows)
        ? settled.debtorIds(rows.stream().map(EventSql.EmailEvent::debtor).toList()) : null;
    stats.statementKind(covered);
    if (ids != null) {
      return write(EventSql.SETTLED_OPENS, batch, r -> EventSql.settledOpensTuple(r, ids, sendWindow),
          this::countEmails);
    }
    return write(EventSql.emailSql(rows, true, covered), batch, r -> EventSql.emailTuple(r, sendWindow),
        covered ? this::resolveEmails : this::learnEmails);
  }

  private Future<Runnable> writeViews(List<Pending<EventSql.NewView>> batch) {
    if (batch.isEmpty()) {
      return NOTHING;
    }
    List<EventSql.NewView> rows = batch.stream().map(Pending::item).toList();
    List<UUID> ids = rows.stream().allMatch(settled::covers)
        ? settled.debtorIds(rows.stream().map(EventSql.NewView::debtor).toList()) : null;
    stats.statementKind(ids != null);
    if (ids != null) {
      return write(EventSql.SETTLED_VIEWS, batch, r -> EventSql.settledViewsTuple(r, ids), this::countInserted);
    }
    return write(EventSql.NEW_VIEW_BY_TOKEN, batch, EventSql::newViewTuple, this::learnViews);
  }

  private <T> List<Pending<T>> take(ArrayDeque<Pending<T>> queue) {
    int n = Math.min(queue.size(), batchMax);
    List<Pending<T>> batch = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      batch.add(queue.poll());
    }
    return batch;
  }

  /** Nothing to answer: an empty batch. */
  private static final Future<Runnable> NOTHING = Future.succeededFuture(() -> { });

  /**
   * Runs one statement; its Future, once the statement has committed (or failed), holds how to answer the
   * batch's requests, so the flush can hand its slot on before it writes the responses.
   */
  private <T> Future<Runnable> write(String sql, List<Pending<T>> batch, Function<List<T>, Tuple> tuple,
                                     BiConsumer<List<T>, RowSet<Row>> committed) {
    if (batch.isEmpty()) {
      return NOTHING;
    }
    List<T> rows = new ArrayList<>(batch.size());
    batch.forEach(p -> rows.add(p.item()));
    Tuple params = tuple.apply(rows);
    long started = System.nanoTime();
    return execute(sql, params, true).transform(ar -> {
      outstanding -= batch.size();
      if (ar.succeeded()) {
        stats.committed(batch.size());
        stats.statement(batch.size(), System.nanoTime() - started);
        try {
          committed.accept(rows, ar.result());
        } catch (RuntimeException learning) {
          // The rows are committed whatever went wrong in reading the answer: the requests still succeed.
          LOG.warn("Tracking batch of {} committed; its answer could not be read: {}", batch.size(),
              learning.toString());
        }
        return Future.succeededFuture(() -> batch.forEach(p -> p.promise().complete()));
      }
      stats.failed(batch.size());
      LOG.warn("Tracking batch of {} failed: {}", batch.size(), ar.cause().toString());
      Problem unavailable = Problem.unavailable("The database did not accept the event", 1);
      return Future.succeededFuture(() -> batch.forEach(p -> p.promise().fail(unavailable)));
    });
  }

  /** Two writers updating the same debtors may deadlock; PostgreSQL aborts one, which is retried once. */
  private Future<RowSet<Row>> execute(String sql, Tuple params, boolean retry) {
    return pool.preparedQuery(sql).execute(params).recover(t -> retry
        && (PgErrors.is(t, PgErrors.DEADLOCK) || PgErrors.is(t, PgErrors.SERIALIZATION_FAILURE))
        ? execute(sql, params, false) : Future.failedFuture(t));
  }

  /** An email statement answers one row per event written, with its final label. */
  private void countEmails(List<EventSql.EmailEvent> rows, RowSet<Row> result) {
    for (Row r : result) {
      stats.label(Classifier.Label.of(r.getString("label")), 1);
    }
    stats.unknownTokens(rows.size() - result.rowCount());
  }

  /** The insert-only statement answers each row's place in the batch ({@code n}) and its debtor. */
  private void resolveEmails(List<EventSql.EmailEvent> rows, RowSet<Row> result) {
    countEmails(rows, result);
    for (Row r : result) {
      settled.resolved(rows.get(r.getInteger("n") - 1).debtor(), r.getUUID("debtor_id"));
    }
  }

  /** The full statement also answers what is settled now: the debtor's last response, the message's flags. */
  private void learnEmails(List<EventSql.EmailEvent> rows, RowSet<Row> result) {
    countEmails(rows, result);
    for (Row r : result) {
      EventSql.EmailEvent e = rows.get(r.getInteger("n") - 1);
      settled.resolved(e.debtor(), r.getUUID("debtor_id"));
      settled.responded(e.debtor(), r.getOffsetDateTime("responded_at"));
      if (r.getBoolean("matched") && Classifier.Label.of(r.getString("label")) == Classifier.Label.HUMAN) {
        settled.opened(e.communicationId(), r.getBoolean("clicked") || e.kind() == Classifier.Kind.CLICK);
      }
    }
  }

  private void countInserted(List<EventSql.NewView> rows, RowSet<Row> result) {
    stats.unknownTokens(rows.size() - result.rowCount());
  }

  private void learnViews(List<EventSql.NewView> rows, RowSet<Row> result) {
    countInserted(rows, result);
    for (Row r : result) {
      String token = rows.get(r.getInteger("n") - 1).debtor();
      settled.resolved(token, r.getUUID("debtor_id"));
      settled.responded(token, r.getOffsetDateTime("responded_at"));
    }
  }

  /**
   * Stops accepting: requests still queued are answered 503 now, those in flight complete when their statement
   * does. The Future completes when nothing is outstanding.
   */
  Future<Void> stop() {
    stopped = true;
    int dropped = failQueued(emails) + failQueued(views) + failQueued(updates);
    if (flushing && gate.withdraw(onSlot)) {
      flushing = false;
    }
    if (dropped > 0) {
      LOG.info("Tracking writer stopping: {} queued requests answered 503", dropped);
    }
    if (outstanding == 0) {
      return Future.succeededFuture();
    }
    drained = Promise.promise();
    return drained.future();
  }

  private <T> int failQueued(ArrayDeque<Pending<T>> queue) {
    int n = queue.size();
    Pending<T> p;
    while ((p = queue.poll()) != null) {
      outstanding--;
      stats.shed();
      p.promise().fail(OVERLOADED);
    }
    return n;
  }
}
