package dev.beacon.tracking;

import dev.beacon.config.BeaconConfig;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayList;
import java.util.List;

/**
 * What the {@link Enricher} does with a batch of journal entries inside its transaction: classifies each request
 * ({@link Classifier}, on the journal's request-shape bits), then writes the opens and
 * clicks, the new page views and the beacons for existing views, in that order ({@link EventSql}: tokens
 * resolved by join, so unknown tokens store nothing; the timing rules; the communication flags and
 * last_response_date; the dashboard's dirty hours), one statement each.
 */
final class Enrichment {
  private final Classifier classifier;
  private final BeaconConfig.Tracking config;
  private final TrackingStats stats;

  Enrichment(Classifier classifier, BeaconConfig.Tracking config, TrackingStats stats) {
    this.classifier = classifier;
    this.config = config;
    this.stats = stats;
  }

  Future<Void> apply(SqlConnection conn, List<Journal.Entry> entries) {
    List<EventSql.EmailEvent> emails = new ArrayList<>();
    List<EventSql.NewView> views = new ArrayList<>();
    List<EventSql.ViewUpdate> updates = new ArrayList<>();
    for (Journal.Entry e : entries) {
      switch (e.kind()) {
        case OPEN, CLICK -> emails.add(email(e));
        case VIEW -> views.add(view(e));
        case UPDATE -> updates.add(new EventSql.ViewUpdate(e.pageViewId(), e.token(), e.timeOnPage(), e.actionsJson()));
      }
    }
    Future<Void> f = Future.succeededFuture();
    if (!emails.isEmpty()) {
      f = f.compose(v -> conn.preparedQuery(EventSql.emailSql(emails, true))
          .execute(EventSql.emailTuple(emails, config.sendWindow())).map(r -> counted(emails.size(), r, true)));
    }
    if (!views.isEmpty()) {
      f = f.compose(v -> conn.preparedQuery(EventSql.NEW_VIEW_BY_TOKEN).execute(EventSql.newViewTuple(views))
          .map(r -> counted(views.size(), r, false)));
    }
    if (!updates.isEmpty()) {
      f = f.compose(v -> conn.preparedQuery(EventSql.UPDATE_VIEW).execute(EventSql.updateTuple(updates)).mapEmpty());
    }
    return f;
  }

  private Void counted(int sent, RowSet<Row> written, boolean labelled) {
    stats.unknownTokens(sent - written.rowCount());
    if (labelled) {
      for (Row r : written) {
        stats.label(Classifier.Label.of(r.getString("label")), 1);
      }
    }
    return null;
  }

  private EventSql.EmailEvent email(Journal.Entry e) {
    Classifier.Kind kind = e.kind() == Journal.Kind.CLICK ? Classifier.Kind.CLICK : Classifier.Kind.OPEN;
    return new EventSql.EmailEvent(e.token(), e.communicationId(), kind, e.at(), e.userAgent(), e.ip(),
        verdict(classifier, kind, e), e.url());
  }

  private EventSql.NewView view(Journal.Entry e) {
    return new EventSql.NewView(e.pageViewId(), e.token(), e.pageType(), e.userAgent(), e.ip(), e.timeOnPage(),
        e.actionsJson(), e.at(), verdict(classifier, Classifier.Kind.VIEW, e));
  }

  /**
   * The live request's signals as the journal kept them: the scanner network was looked up on the full address
   * when the request came (the journal holds only the stored one); the Accept rule applies to clicks only.
   */
  static Classifier.Verdict verdict(Classifier classifier, Classifier.Kind kind, Journal.Entry e) {
    String prefetch = e.has(Journal.PREFETCH) ? "prefetch" : null;
    String accept = kind != Classifier.Kind.CLICK ? null : e.has(Journal.ACCEPT_NOT_HTML) ? "" : "text/html";
    return classifier.classify(new Classifier.Signals(kind, e.has(Journal.HEAD), e.userAgent(), accept, prefetch,
        null, null, null), e.scannerNetwork());
  }
}
