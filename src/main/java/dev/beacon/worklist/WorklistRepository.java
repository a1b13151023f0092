package dev.beacon.worklist;

import dev.beacon.communications.Channel;
import dev.beacon.core.DebtorStatus;
import dev.beacon.db.SqlLiterals;
import dev.beacon.debtors.UsStates;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** SQL of the worklist: ranked candidates, the human engagement of some debtors, the portfolio's pattern. */
final class WorklistRepository {
  /** Statuses that leave the worklist (the ranking index's predicate), and those a debtor may be contacted in. */
  private static final String CLOSED = SqlLiterals.list(List.of(DebtorStatus.RESOLVED, DebtorStatus.CLOSED));
  private static final String CONTACTABLE = SqlLiterals.list(List.of(DebtorStatus.ACTIVE, DebtorStatus.PAYMENT_PLAN));

  /**
   * Human engagement, the one place that says what counts: human-labelled email opens and clicks (machine and
   * scanner events never count) and page views. Columns {@code debtor_id, at}; filters on them are pushed into
   * both branches (and so into their per-debtor time indexes).
   */
  static final String HUMAN_ENGAGEMENT = """
      SELECT debtor_id, occurred_at AS at FROM email_events WHERE label = 'human' AND kind IN ('open', 'click')
      UNION ALL
      SELECT debtor_id, "timestamp" AS at FROM page_views WHERE label = 'human'""";

  /** The ranking key: expected collection in cents times 100 (score 0–100 × balance), then id. */
  static final String RANK = "(d.payment_propensity_score * greatest(d.total_owed - d.amount_paid, 0))";

  /**
   * One batch of ranked debtors after the cursor ($1 rank, $2 id), highest rank first ($3 rows), each with what a
   * row shows. The predicate on status matches the index's, so the ranking is a backward scan of it.
   */
  private static final String RANKED = """
      SELECT d.id, d.first_name, d.last_name, d.status, d.payment_propensity_score AS score,
             greatest(d.total_owed - d.amount_paid, 0) AS balance, %1$s AS rank, d.timezone, d.state,
             d.email IS NOT NULL AS has_email, d.phone IS NOT NULL AS has_phone
      FROM debtors d
      WHERE d.status NOT IN (%3$s) AND (%1$s, d.id) < ($1::numeric, $2::uuid) %2$s
      ORDER BY %1$s DESC, d.id DESC
      LIMIT $3""";

  /**
   * The worklist's pre-filter: only conditions without which the gate refuses (status, consent, DNC, opt-out)
   * and the channel's address. Everything else, and these again, the gate decides in Java.
   */
  private static final String EMAIL_CANDIDATES = RANKED.formatted(RANK, """
      AND d.status IN (%s) AND d.email_consent AND d.email IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM debtor_opt_outs o WHERE o.debtor_id = d.id AND o.channel = 'email')"""
      .formatted(CONTACTABLE), CLOSED);
  private static final String PHONE_CANDIDATES = RANKED.formatted(RANK, """
      AND d.status IN (%s) AND d.phone_consent AND NOT d.dnc_registered AND d.phone IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM debtor_opt_outs o WHERE o.debtor_id = d.id AND o.channel = $4)"""
      .formatted(CONTACTABLE), CLOSED);
  /** Every ranked debtor: the blocked list's candidates (the gate and the address decide who is blocked). */
  private static final String ALL_RANKED = RANKED.formatted(RANK, "", CLOSED);

  /** The human engagement of some debtors ($1) in ($2, $3]. */
  private static final String EVENTS = """
      SELECT e.debtor_id, e.at FROM (%s) e
      WHERE e.debtor_id = ANY($1::uuid[]) AND e.at > $2::timestamptz AND e.at <= $3::timestamptz""".formatted(HUMAN_ENGAGEMENT);

  /**
   * The portfolio's human engagement in ($1, $2] per reference zone of its debtors (timezone, else the state's main
   * zone ($3 states, $4 zones), else $5) and UTC hour; Java names each hour's local hour of the week with the zone's
   * rules (as it does for a debtor's own events). Grouping by UTC hour rather than converting every event halves
   * the scan's time.
   */
  private static final String PORTFOLIO = """
      WITH z AS (SELECT * FROM unnest($3::text[], $4::text[]) AS z(state, zone))
      SELECT coalesce(d.timezone, z.zone, $5) AS zone, date_trunc('hour', e.at, 'UTC') AS hour, count(*) AS events
      FROM (%s) e JOIN debtors d ON d.id = e.debtor_id LEFT JOIN z ON z.state = d.state
      WHERE e.at > $1::timestamptz AND e.at <= $2::timestamptz
      GROUP BY 1, 2""".formatted(HUMAN_ENGAGEMENT);

  private static final String DEBTORS = "SELECT count(*) FROM debtors";

  private static final String DEBTOR = """
      SELECT d.id, d.timezone, d.state FROM debtors d WHERE d.id = $1""";

  /** A ranked debtor as a worklist row needs it. */
  record Candidate(UUID id, String firstName, String lastName, String status, int score, BigDecimal balance,
                   BigDecimal rank, String timezone, String state, boolean hasEmail, boolean hasPhone) {
    boolean hasAddress(Channel channel) {
      return channel == Channel.EMAIL ? hasEmail : hasPhone;
    }
  }

  /** Where a ranked list resumes: after this rank and id (ranked highest first). */
  record Key(BigDecimal rank, UUID id) {
    /** Before every ranked debtor. */
    static final Key START = new Key(new BigDecimal("1e30"), new UUID(-1L, -1L));
  }

  /** The next {@code rows} ranked debtors after {@code after}: the worklist's candidates, or every one. */
  Future<List<Candidate>> ranked(SqlClient sql, Channel channel, boolean prefiltered, Key after, int rows) {
    String query = !prefiltered ? ALL_RANKED : channel == Channel.EMAIL ? EMAIL_CANDIDATES : PHONE_CANDIDATES;
    Tuple t = Tuple.of(after.rank(), after.id(), rows);
    if (prefiltered && channel != Channel.EMAIL) {
      t.addString(channel.wire());
    }
    return sql.preparedQuery(query).execute(t).map(WorklistRepository::candidates);
  }

  private static List<Candidate> candidates(RowSet<Row> rows) {
    List<Candidate> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(new Candidate(r.getUUID("id"), r.getString("first_name"), r.getString("last_name"),
          r.getString("status"), r.getInteger("score"), r.getBigDecimal("balance"), r.getBigDecimal("rank"),
          r.getString("timezone"), r.getString("state"), r.getBoolean("has_email"), r.getBoolean("has_phone")));
    }
    return out;
  }

  /** The human engagement instants of each debtor in ({@code from}, {@code to}]. */
  Future<Map<UUID, List<Instant>>> events(SqlClient sql, List<UUID> debtorIds, Instant from, Instant to) {
    if (debtorIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return sql.preparedQuery(EVENTS).execute(Tuple.of(debtorIds.toArray(new UUID[0]), utc(from), utc(to)))
        .map(rows -> {
          Map<UUID, List<Instant>> out = new HashMap<>();
          for (Row r : rows) {
            out.computeIfAbsent(r.getUUID("debtor_id"), k -> new ArrayList<>()).add(r.getOffsetDateTime("at").toInstant());
          }
          return out;
        });
  }

  /** The portfolio's pattern over ({@code from}, {@code to}]. */
  Future<BestTime.Portfolio> portfolio(SqlClient sql, Instant from, Instant to) {
    List<String> states = UsStates.codes();
    String[] zones = states.stream().map(s -> UsStates.primaryZone(s).orElseThrow().getId()).toArray(String[]::new);
    return sql.preparedQuery(PORTFOLIO).execute(Tuple.of(utc(from), utc(to), states.toArray(new String[0]), zones,
        Zones.DEFAULT.getId())).compose(rows -> {
          long[] counts = new long[BestTime.HOURS_OF_WEEK];
          Map<String, ZoneId> byName = new HashMap<>();
          for (Row r : rows) {
            ZoneId zone = byName.computeIfAbsent(r.getString("zone"), ZoneId::of);
            counts[BestTime.hourOfWeek(r.getOffsetDateTime("hour").toInstant(), zone)] += r.getLong("events");
          }
          return sql.query(DEBTORS).execute()
              .map(c -> new BestTime.Portfolio(counts, c.iterator().next().getLong(0)));
        });
  }

  /** A debtor's timezone and state, or null when there is no such debtor. */
  Future<Row> debtor(SqlClient sql, UUID id) {
    return sql.preparedQuery(DEBTOR).execute(Tuple.of(id)).map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  private static OffsetDateTime utc(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }
}
