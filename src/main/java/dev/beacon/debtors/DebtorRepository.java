package dev.beacon.debtors;

import dev.beacon.core.DebtorStatus;
import dev.beacon.core.Tokens;
import dev.beacon.db.PgErrors;
import dev.beacon.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.templates.SqlTemplate;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;

/** Debtor storage. SQL lives here as constants; handlers never see it. */
public final class DebtorRepository {
  static final String INSERT = """
      INSERT INTO debtors (first_name, last_name, email, phone, address_line1, address_line2, city, state,
                           zip_code, timezone, unique_token, total_owed, amount_paid, status,
                           phone_consent, email_consent, dnc_registered)
      VALUES (#{first_name}, #{last_name}, #{email}, #{phone}, #{address_line1}, #{address_line2}, #{city},
              #{state}, #{zip_code}, #{timezone}, #{unique_token}, coalesce(#{total_owed}::numeric, 0),
              coalesce(#{amount_paid}::numeric, 0), coalesce(#{status}, 'active'), coalesce(#{phone_consent}, false),
              coalesce(#{email_consent}, true), coalesce(#{dnc_registered}, false))
      RETURNING *""";

  static final String BY_ID = "SELECT * FROM debtors WHERE id = #{id}";

  /** Keyset pages; a null parameter disables its filter. {@code q} matches names, email and phone. */
  private static final String LIST_WHERE = """
      WHERE ($1::text IS NULL OR status = $1)
        AND ($2::text IS NULL OR first_name ILIKE $2 OR last_name ILIKE $2 OR email ILIKE $2
             OR phone LIKE $2 OR (first_name || ' ' || last_name) ILIKE $2)
        AND ($3::int IS NULL OR payment_propensity_score >= $3)
        AND ($4::int IS NULL OR payment_propensity_score <= $4)
      """;
  static final String LIST_BY_SCORE = "SELECT * FROM debtors " + LIST_WHERE + """
        AND ($5::int IS NULL OR (payment_propensity_score, id) < ($5, $6::uuid))
      ORDER BY payment_propensity_score DESC, id DESC LIMIT $7""";
  static final String LIST_BY_UPDATED = "SELECT * FROM debtors " + LIST_WHERE + """
        AND ($5::timestamptz IS NULL OR (updated_at, id) < ($5, $6::uuid))
      ORDER BY updated_at DESC, id DESC LIMIT $7""";

  static final String TIMELINE = """
      SELECT at, kind, id, data FROM debtor_timeline
      WHERE debtor_id = $1 AND ($2::timestamptz IS NULL OR (at, id) < ($2, $3::uuid))
      ORDER BY at DESC, id DESC LIMIT $4""";

  static final String STATUS_OF = "SELECT status FROM debtors WHERE id = $1";

  private final Pool pool;
  private final SqlTemplate<Map<String, Object>, RowSet<Debtor>> insert;
  private final SqlTemplate<Map<String, Object>, RowSet<Debtor>> byId;

  public DebtorRepository(Pool pool) {
    this.pool = pool;
    this.insert = SqlTemplate.forQuery(pool, INSERT).mapTo(Debtor.MAPPER);
    this.byId = SqlTemplate.forQuery(pool, BY_ID).mapTo(Debtor.MAPPER);
  }

  public Future<Debtor> create(DebtorInput in, String token) {
    Map<String, Object> p = new HashMap<>();
    for (DebtorField f : DebtorField.values()) {
      p.put(f.column, in.get(f));
    }
    p.put("unique_token", token);
    return insert.execute(p)
        .map(rows -> rows.iterator().next())
        .recover(DebtorRepository::translate);
  }

  public Future<Debtor> get(UUID id) {
    return byId.execute(Map.of("id", id)).map(rows -> {
      if (rows.size() == 0) {
        throw Problem.notFound("No debtor " + id);
      }
      return rows.iterator().next();
    });
  }

  /**
   * Changes only the fields given. A closed debtor no longer changes (409). The SET list is built from the
   * fixed column names of {@link DebtorField}; values are always parameters.
   */
  public Future<Debtor> patch(UUID id, DebtorInput in) {
    StringBuilder sql = new StringBuilder("UPDATE debtors SET ");
    List<Object> params = new ArrayList<>();
    params.add(id);
    for (var e : in.values().entrySet()) {
      params.add(e.getValue());
      sql.append(e.getKey().column).append(" = $").append(params.size()).append(", ");
    }
    sql.append("updated_at = now() WHERE id = $1 AND status <> '").append(DebtorStatus.CLOSED).append("'");
    boolean money = in.has(DebtorField.AMOUNT_PAID) || in.has(DebtorField.TOTAL_OWED);
    if (money) {
      // The invariant holds on the row as it will be: the new amount against the stored one, atomically.
      sql.append(" AND ").append(moneyOperand(in, DebtorField.AMOUNT_PAID, params)).append(" <= ")
          .append(moneyOperand(in, DebtorField.TOTAL_OWED, params));
    }
    sql.append(" RETURNING *");
    return pool.preparedQuery(sql.toString()).mapping(Debtor::from).execute(Tuple.from(params))
        .recover(DebtorRepository::translate)
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(rows.iterator().next()) : whyNotUpdated(id, money));
  }

  /** The stored column, or the new value's parameter (already in {@code params}), as a numeric. */
  private static String moneyOperand(DebtorInput in, DebtorField f, List<Object> params) {
    if (!in.has(f)) {
      return f.column;
    }
    int index = 2;
    for (var e : in.values().entrySet()) {
      if (e.getKey() == f) {
        return "$" + index + "::numeric";
      }
      index++;
    }
    return f.column;
  }

  private Future<Debtor> whyNotUpdated(UUID id, boolean money) {
    return pool.preparedQuery(STATUS_OF).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        throw Problem.notFound("No debtor " + id);
      }
      if (money && !DebtorStatus.CLOSED.equals(rows.iterator().next().getString(0))) {
        throw Problem.invalid(DebtorField.AMOUNT_PAID.json, DebtorInput.PAID_OVER_OWED);
      }
      throw Problem.conflict("Debtor " + id + " is closed and can no longer change");
    });
  }

  /** A list query; see docs/api.md "Debtors". */
  public record ListQuery(String status, String q, Integer minScore, Integer maxScore, boolean byScore,
                          JsonObject cursor, int limit) {}

  public Future<List<Debtor>> list(ListQuery lq) {
    String like = lq.q() == null ? null : "%" + lq.q().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    Object after = null;
    UUID afterId = null;
    if (lq.cursor() != null) {
      try {
        afterId = UUID.fromString(lq.cursor().getString("id"));
        after = lq.byScore() ? lq.cursor().getInteger("score") : OffsetDateTime.parse(lq.cursor().getString("updated"));
      } catch (RuntimeException e) {
        throw Problem.invalid("cursor", "is not a cursor this API issued");
      }
      if (after == null) {
        throw Problem.invalid("cursor", "does not match the sort order");
      }
    }
    Tuple t = Tuple.of(lq.status(), like, lq.minScore(), lq.maxScore(), after, afterId, lq.limit() + 1);
    return pool.preparedQuery(lq.byScore() ? LIST_BY_SCORE : LIST_BY_UPDATED).mapping(Debtor::from).execute(t)
        .map(rows -> StreamSupport.stream(rows.spliterator(), false).toList());
  }

  /**
   * One timeline entry: {@code {at, kind, id, ...data}}. With {@code hideToken}, the debtor's token is replaced
   * by {@code {token}} wherever an entry's text holds it (a clicked link to the debtor's own page does).
   */
  public Future<List<JsonObject>> timeline(UUID debtorId, OffsetDateTime beforeAt, UUID beforeId, int limit,
                                           boolean hideToken) {
    return get(debtorId).compose(d -> pool.preparedQuery(TIMELINE)
        .execute(Tuple.of(debtorId, beforeAt, beforeId, limit + 1))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          for (Row r : rows) {
            JsonObject data = r.getJsonObject("data");
            JsonObject e = new JsonObject()
                .put("at", dev.beacon.http.Times.format(r.getOffsetDateTime("at")))
                .put("kind", r.getString("kind"))
                .put("id", r.getUUID("id").toString());
            if (data != null) {
              data.forEach(kv -> e.put(kv.getKey(), hideToken && kv.getValue() instanceof String text
                  ? Tokens.mask(text, d.uniqueToken()) : kv.getValue()));
            }
            out.add(e);
          }
          return out;
        }));
  }

  static <T> Future<T> translate(Throwable t) {
    if (PgErrors.is(t, PgErrors.UNIQUE_VIOLATION) && PgErrors.constraint(t).contains("email")) {
      return Future.failedFuture(Problem.conflict("A debtor with that email already exists"));
    }
    if (PgErrors.is(t, PgErrors.CHECK_VIOLATION)) {
      return Future.failedFuture(Problem.invalid(fieldOf(PgErrors.constraint(t)), "violates " + PgErrors.constraint(t)));
    }
    return Future.failedFuture(t);
  }

  /** Maps a CHECK constraint name ({@code debtors_total_owed_check}) back to its JSON field. */
  private static String fieldOf(String constraint) {
    for (DebtorField f : DebtorField.values()) {
      if (constraint.contains(f.column)) {
        return f.json;
      }
    }
    return "body";
  }
}
