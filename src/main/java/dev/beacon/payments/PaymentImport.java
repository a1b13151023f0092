package dev.beacon.payments;

import dev.beacon.core.DebtorStatus;
import dev.beacon.db.Columns;
import dev.beacon.db.SqlLiterals;
import dev.beacon.http.Bodies;
import dev.beacon.http.LineImport;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /api/payments/import}: an agency's payment history as NDJSON, streamed line by line and written
 * {@value #BATCH} lines per statement (the request pauses while a batch commits). Completed payments move
 * {@code amount_paid} (and may resolve the debtor) in the same statement, like a live payment.
 */
final class PaymentImport {
  static final int BATCH = 1000;

  static final String INSERT = """
      WITH input AS (
        SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[]::numeric[], $5::text[], $6::text[],
                             $7::text[], $8::timestamptz[], $9::timestamptz[], $10::text[]::numeric[], $11::text[]::numeric[])
          AS i(line, debtor_id, email, amount, status, payment_type, payment_method, created_at, completed_at,
               credited, refunded)
      ),
      matched AS (
        SELECT i.*, d.id AS did FROM input i JOIN debtors d ON d.id = i.debtor_id
        UNION ALL
        SELECT i.*, d.id FROM input i JOIN debtors d ON i.debtor_id IS NULL AND d.email = i.email
      ),
      ins AS (
        INSERT INTO payments (debtor_id, amount, payment_type, payment_method, status, source, created_at,
                              completed_at, credited, amount_refunded, refunded_at)
        SELECT did, amount, payment_type, payment_method, status, 'import', created_at, completed_at, credited,
               refunded, CASE WHEN refunded > 0 THEN completed_at END
        FROM matched
        RETURNING debtor_id, credited
      ),
      moved AS (
        UPDATE debtors d SET amount_paid = d.amount_paid + s.credit,
          status = CASE WHEN d.status IN (%s) AND d.total_owed > 0
                             AND d.amount_paid + s.credit >= d.total_owed THEN %s ELSE d.status END,
          updated_at = now()
        FROM (SELECT debtor_id, sum(credited) AS credit FROM ins GROUP BY debtor_id) s
        WHERE d.id = s.debtor_id AND s.credit > 0
        RETURNING d.id
      )
      SELECT line FROM matched""".formatted(SqlLiterals.list(List.of(DebtorStatus.ACTIVE, DebtorStatus.PAYMENT_PLAN)),
      SqlLiterals.of(DebtorStatus.RESOLVED));

  private final Pool pool;
  private final long maxBytes;

  PaymentImport(Pool pool, long maxBytes) {
    this.pool = pool;
    this.maxBytes = maxBytes;
  }

  void handle(RoutingContext ctx) {
    if (!Requests.NDJSON.contains(Requests.mediaType(ctx))) {
      throw Problem.unsupportedMediaType("application/x-ndjson");
    }
    LineImport.run(ctx, maxBytes, BATCH, "Payment", new Lines());
  }

  /** Parsing and writing for one import request. */
  private final class Lines implements LineImport.Feature<ImportedPayment> {
    private long imported;

    @Override
    public ImportedPayment parse(long line, String text) {
      if (text.isBlank()) {
        return null;
      }
      JsonObject o = LineImport.jsonLine(line, text);
      try {
        return ImportedPayment.from(o);
      } catch (Problem p) {
        throw LineImport.Rejected.of(line, p);
      }
    }

    @Override
    public Future<List<LineImport.Rejected>> write(List<LineImport.Row<ImportedPayment>> rows) {
      return pool.preparedQuery(INSERT).execute(tuple(rows)).map(result -> {
        Set<Long> done = new HashSet<>();
        for (Row r : result) {
          done.add(r.getLong("line"));
        }
        imported += done.size();
        List<LineImport.Rejected> rejected = new ArrayList<>();
        for (var p : rows) {
          if (!done.contains(p.line())) {
            rejected.add(new LineImport.Rejected(p.line(), p.value().debtorId() != null ? "debtorId" : "email",
                "matches no debtor"));
          }
        }
        return rejected;
      });
    }

    @Override
    public JsonObject counts() {
      return new JsonObject().put("imported", imported);
    }
  }

  private static Tuple tuple(List<LineImport.Row<ImportedPayment>> rows) {
    return Columns.of(rows)
        .add(Long.class, LineImport.Row::line)
        .add(UUID.class, r -> r.value().debtorId())
        .add(String.class, r -> r.value().email())
        .add(String.class, r -> r.value().amount().toPlainString())
        .add(String.class, r -> r.value().status().sql())
        .add(String.class, r -> r.value().paymentType())
        .add(String.class, r -> r.value().paymentMethod())
        .add(OffsetDateTime.class, r -> r.value().createdAt())
        .add(OffsetDateTime.class, r -> r.value().completedAt())
        .add(String.class, r -> r.value().credit().toPlainString())
        .add(String.class, r -> r.value().refunded().toPlainString())
        .tuple();
  }
}
