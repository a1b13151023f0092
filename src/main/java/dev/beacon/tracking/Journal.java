package dev.beacon.tracking;

import dev.beacon.db.Columns;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The tracking journal (V16): what a tracking request carried, as the hot path writes it (one {@code unnest}
 * INSERT per batch, nothing resolved); the {@link Enricher} moves it inside PostgreSQL ({@link Enrichment}).
 */
final class Journal {
  private Journal() {}

  /** What a journal row is; {@code code} is what {@code tracking_journal.kind} stores. */
  enum Kind {
    OPEN(1), CLICK(2), VIEW(3), UPDATE(4);

    final short code;

    Kind(int code) {
      this.code = (short) code;
    }

    static Kind of(short code) {
      return switch (code) {
        case 1 -> OPEN;
        case 2 -> CLICK;
        case 3 -> VIEW;
        case 4 -> UPDATE;
        default -> throw new IllegalArgumentException("not a journal kind: " + code);
      };
    }
  }

  /**
   * Request-shape bits in {@code signals}: what the classifier needs of the headers, not the headers; above
   * {@link #NETWORK_SHIFT}, 1 + the index in tracking.scannerCidrs of the scanner network the full address is in.
   */
  static final int HEAD = 1;
  static final int PREFETCH = 2;
  static final int ACCEPT_NOT_HTML = 4;
  static final int NETWORK_SHIFT = 3;

  /**
   * One accepted request. {@code ip} is the client address as tracking.ipStorage stores it; {@code pageViewId} is the new view's id
   * (VIEW) or the view a beacon reports on (UPDATE).
   */
  record Entry(Kind kind, String token, OffsetDateTime at, UUID communicationId, UUID pageViewId, String userAgent,
               String ip, int signals, String url, String pageType, Integer timeOnPage, String actionsJson) {

    static Entry open(String token, UUID comm, OffsetDateTime at, String ua, String ip, int signals) {
      return new Entry(Kind.OPEN, token, at, comm, null, ua, ip, signals, null, null, null, null);
    }

    static Entry click(String token, UUID comm, OffsetDateTime at, String ua, String ip, int signals, String url) {
      return new Entry(Kind.CLICK, token, at, comm, null, ua, ip, signals, url, null, null, null);
    }

    static Entry view(String token, UUID viewId, OffsetDateTime at, String ua, String ip, int signals,
                      String pageType, Integer timeOnPage, String actionsJson) {
      return new Entry(Kind.VIEW, token, at, null, viewId, ua, ip, signals, null, pageType, timeOnPage, actionsJson);
    }

    static Entry update(String token, UUID viewId, OffsetDateTime at, Integer timeOnPage, String actionsJson) {
      return new Entry(Kind.UPDATE, token, at, null, viewId, null, null, 0, null, null, timeOnPage, actionsJson);
    }

    boolean has(int signal) {
      return (signals & signal) != 0;
    }

    /** The scanner network's index in tracking.scannerCidrs, or -1. */
    int scannerNetwork() {
      return (signals >>> NETWORK_SHIFT) - 1;
    }
  }

  /** The hot path's one statement per batch. */
  static final String INSERT = """
      INSERT INTO tracking_journal (kind, token, at, communication_id, page_view_id, user_agent, ip, signals, url,
                                    page_type, time_on_page, actions)
      SELECT * FROM unnest($1::smallint[], $2::text[], $3::timestamptz[], $4::uuid[], $5::uuid[], $6::text[],
                           $7::text[], $8::smallint[], $9::text[], $10::text[], $11::int[], $12::text[])""";

  /**
   * The backlog and the age of its oldest row, both from the primary key's two ends (no scan: a count(*)
   * read every row of a large backlog twice a second in every process). The enricher removes rows from the
   * oldest end only, so the rows between the ends are the backlog, less the ids of inserts that rolled back
   * (an upper bound, which is what shedding needs).
   */
  static final String BACKLOG = """
      SELECT coalesce((SELECT id FROM tracking_journal ORDER BY id DESC LIMIT 1)
                      - (SELECT id FROM tracking_journal ORDER BY id LIMIT 1) + 1, 0) AS backlog,
             (SELECT at FROM tracking_journal ORDER BY id LIMIT 1) AS oldest""";

  static Tuple insertTuple(List<Entry> rows) {
    return Columns.of(rows)
        .add(Short.class, e -> e.kind().code)
        .add(String.class, Entry::token)
        .add(OffsetDateTime.class, Entry::at)
        .add(UUID.class, Entry::communicationId)
        .add(UUID.class, Entry::pageViewId)
        .add(String.class, Entry::userAgent)
        .add(String.class, Entry::ip)
        .add(Short.class, e -> (short) e.signals())
        .add(String.class, Entry::url)
        .add(String.class, Entry::pageType)
        .add(Integer.class, Entry::timeOnPage)
        .add(String.class, Entry::actionsJson)
        .tuple();
  }

}
