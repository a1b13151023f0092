package dev.beacon.tracking;

import dev.beacon.config.BeaconConfig;
import dev.beacon.db.Columns;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the {@link Enricher} does with a batch of journal rows inside its transaction. The rows stay in PostgreSQL:
 * Java sees only each distinct request shape of the batch (kind, request-shape signals, user agent) with the
 * journal rows that have it, classifies each shape once ({@link Classifier}), and passes the rows' tuple ids and the
 * verdicts to three statements ({@link EmailEventSql}, {@link PageViewSql}: the opens and clicks, the new page
 * views, the beacons for existing views, in that order; tokens resolved by join, so unknown tokens store nothing;
 * the timing rules; the communication flags and last_response_date; the dashboard's dirty hours), then deletes the
 * rows.
 */
final class Enrichment {
  /**
   * The oldest {@code $1} journal rows grouped by request shape, with their ids, tuple ids and request times
   * (epoch ms). Batches hold few shapes (the same browsers and proxies again and again), so this is a few rows.
   * The three arrays of a shape are in one same order, as one aggregation fills them row by row; {@link #sorted}
   * puts the rows in id order (an ORDER BY in each aggregate sorted the batch three times over, a third of this
   * statement, as did extract's numeric arithmetic against date_part's float).
   */
  static final String READ_SHAPES = """
      SELECT kind, signals, coalesce(user_agent, '') AS user_agent, array_agg(id) AS ids, array_agg(ctid::text) AS tids,
             array_agg((date_part('epoch', at) * 1000)::bigint) AS at_ms
      FROM (SELECT id, ctid, kind, signals, user_agent, at FROM tracking_journal ORDER BY id LIMIT $1) b
      GROUP BY kind, signals, coalesce(user_agent, '')""";

  /**
   * Removes what a batch moved (in the batch's transaction), by tuple id: a TID scan reads each row's page once.
   * By primary key (id = ANY of the batch's ids) it cost 19 µs per row on PostgreSQL 15 under load, a third of
   * the whole enrichment; by tuple id 1.5 µs.
   */
  static final String DELETE = "DELETE FROM tracking_journal WHERE ctid = ANY($1::text[]::tid[])";

  /** One request shape of a batch and the journal rows that have it. */
  record Shape(Journal.Kind kind, short signals, String userAgent, Long[] ids, String[] tids, Long[] atMillis) {
    static Shape of(Row r) {
      return new Shape(Journal.Kind.of(r.getShort("kind")), r.getShort("signals"), r.getString("user_agent"),
          r.getArrayOfLongs("ids"), r.getArrayOfStrings("tids"), r.getArrayOfLongs("at_ms"));
    }
  }

  /** A batch as read: its shapes; {@link #size()} journal rows in all. */
  record Batch(List<Shape> shapes) {
    int size() {
      return shapes.stream().mapToInt(s -> s.ids().length).sum();
    }

    /** Every row's tuple id, in journal-id order. */
    String[] tids() {
      return sorted(shapes);
    }
  }

  private final Classifier classifier;
  private final BeaconConfig.Tracking config;
  private final TrackingStats stats;

  Enrichment(Classifier classifier, BeaconConfig.Tracking config, TrackingStats stats) {
    this.classifier = classifier;
    this.config = config;
    this.stats = stats;
  }

  Future<Void> apply(SqlConnection conn, Batch batch) {
    List<Shape> emails = new ArrayList<>();
    List<Shape> views = new ArrayList<>();
    List<Shape> updates = new ArrayList<>();
    for (Shape s : batch.shapes()) {
      switch (s.kind()) {
        case OPEN, CLICK -> emails.add(s);
        case VIEW -> views.add(s);
        case UPDATE -> updates.add(s);
      }
    }
    Future<Void> f = Future.succeededFuture();
    if (!emails.isEmpty()) {
      String[] ids = sorted(emails);
      boolean clicks = emails.stream().anyMatch(s -> s.kind() == Journal.Kind.CLICK);
      Tuple t = Tuple.tuple().addArrayOfString(ids).addArrayOfUUID(EventSql.eventIds(ids.length));
      verdicts(t, emails).addDouble(config.sendWindow().toMillis() / 1000.0);
      if (clicks) {
        t.addInteger(Classifier.BURST_SECONDS).addInteger(Classifier.BURST_LINKS);
      }
      f = f.compose(v -> conn.preparedQuery(clicks ? EmailEventSql.JOURNAL_EMAIL_EVENTS : EmailEventSql.JOURNAL_OPENS)
          .execute(t).map(r -> labelled(ids.length, r)));
    }
    if (!views.isEmpty()) {
      String[] ids = sorted(views);
      Tuple t = verdicts(Tuple.tuple().addArrayOfString(ids), views).addInteger(Classifier.SCANNER_FOLLOW_SECONDS);
      f = f.compose(v -> conn.preparedQuery(PageViewSql.JOURNAL_NEW_VIEWS).execute(t).map(r -> {
        stats.unknownTokens(ids.length - r.iterator().next().getInteger("n"));
        return null;
      }));
    }
    if (!updates.isEmpty()) {
      Tuple t = Tuple.tuple().addArrayOfString(sorted(updates)).addString(PageViewSql.FOLLOWED_SCANNER)
          .addString(PageViewSql.BEACON_FOLLOWED);
      f = f.compose(v -> conn.preparedQuery(PageViewSql.JOURNAL_VIEW_UPDATES).execute(t).mapEmpty());
    }
    return f;
  }

  /** The verdict of each shape, as the five arrays the journal statements join on. */
  private Tuple verdicts(Tuple t, List<Shape> shapes) {
    List<Judged> judged = new ArrayList<>(shapes.size());
    for (Shape s : shapes) {
      Classifier.Kind kind = s.kind() == Journal.Kind.CLICK ? Classifier.Kind.CLICK
          : s.kind() == Journal.Kind.VIEW ? Classifier.Kind.VIEW : Classifier.Kind.OPEN;
      judged.add(new Judged(s, verdict(classifier, kind, s.signals(), s.userAgent())));
    }
    return Columns.of(judged, t)
        .add(Short.class, j -> j.shape().kind().code)
        .add(Short.class, j -> j.shape().signals())
        .add(String.class, j -> j.shape().userAgent())
        .add(String.class, j -> j.verdict().label().db())
        .add(String.class, j -> j.verdict().reason())
        .tuple();
  }

  /** A shape and its verdict. */
  private record Judged(Shape shape, Classifier.Verdict verdict) {}

  private Void labelled(int sent, RowSet<Row> counts) {
    int written = 0;
    for (Row r : counts) {
      int n = r.getInteger("n");
      written += n;
      stats.label(Classifier.Label.of(r.getString("label")), n);
    }
    stats.unknownTokens(sent - written);
    return null;
  }

  /** The shapes' tuple ids in journal-id order. */
  private static String[] sorted(List<Shape> shapes) {
    int n = 0;
    for (Shape s : shapes) {
      n += s.ids().length;
    }
    long[] keyed = new long[n];
    String[] all = new String[n];
    int k = 0;
    for (Shape s : shapes) {
      for (int i = 0; i < s.ids().length; i++, k++) {
        all[k] = s.tids()[i];
        keyed[k] = s.ids()[i];
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(keyed[a], keyed[b]));
    String[] tids = new String[n];
    for (int i = 0; i < n; i++) {
      tids[i] = all[order[i]];
    }
    return tids;
  }

  /**
   * The live request's signals as the journal kept them: the scanner network was looked up on the full address
   * when the request came (the journal holds only the stored one); the Accept rule applies to clicks only.
   */
  static Classifier.Verdict verdict(Classifier classifier, Classifier.Kind kind, Journal.Entry e) {
    return verdict(classifier, kind, (short) e.signals(), e.userAgent());
  }

  static Classifier.Verdict verdict(Classifier classifier, Classifier.Kind kind, short signals, String userAgent) {
    String prefetch = (signals & Journal.PREFETCH) != 0 ? "prefetch" : null;
    String accept = kind != Classifier.Kind.CLICK ? null : (signals & Journal.ACCEPT_NOT_HTML) != 0 ? "" : "text/html";
    return classifier.classify(new Classifier.Signals(kind, (signals & Journal.HEAD) != 0, userAgent, accept,
        prefetch, null, null, null), (signals >>> Journal.NETWORK_SHIFT) - 1);
  }
}
