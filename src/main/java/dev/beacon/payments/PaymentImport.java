package dev.beacon.payments;

import dev.beacon.http.Bodies;
import dev.beacon.http.Problem;
import dev.beacon.http.Problems;
import dev.beacon.http.Requests;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /api/payments/import}: an agency's payment history as NDJSON, streamed line by line and written
 * {@value #BATCH} lines per statement (the request pauses while a batch commits). Completed payments move
 * {@code amount_paid} (and may resolve the debtor) in the same statement, like a live payment.
 */
final class PaymentImport {
  private static final Logger LOG = LoggerFactory.getLogger(PaymentImport.class);
  static final int BATCH = 1000;
  static final int MAX_LISTED_REJECTIONS = 10_000;

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
          status = CASE WHEN d.status IN ('active', 'payment_plan') AND d.total_owed > 0
                             AND d.amount_paid + s.credit >= d.total_owed THEN 'resolved' ELSE d.status END,
          updated_at = now()
        FROM (SELECT debtor_id, sum(credited) AS credit FROM ins GROUP BY debtor_id) s
        WHERE d.id = s.debtor_id AND s.credit > 0
        RETURNING d.id
      )
      SELECT line FROM matched""";

  private final Pool pool;
  private final long maxBytes;

  PaymentImport(Pool pool, long maxBytes) {
    this.pool = pool;
    this.maxBytes = maxBytes;
  }

  void handle(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String mime = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (!mime.equals("application/x-ndjson") && !mime.equals("application/ndjson")) {
      throw Problem.unsupportedMediaType("application/x-ndjson");
    }
    String length = ctx.request().getHeader("Content-Length");
    if (length != null && length.matches("[0-9]{1,18}") && Long.parseLong(length) > maxBytes) {
      throw Problem.tooLarge("An import may be at most " + maxBytes / (1024 * 1024) + " MiB");
    }
    new Job(ctx).start();
  }

  private record Pending(long line, ImportedPayment payment) {}

  /** The state of one import request. */
  private final class Job {
    private final RoutingContext ctx;
    private RecordParser parser;
    private long line;
    private long bytes;
    private long imported;
    private long rejectedCount;
    private final JsonArray rejected = new JsonArray();
    private List<Pending> batch = new ArrayList<>();
    private Future<Void> inFlight = Future.succeededFuture();
    private boolean failed;

    Job(RoutingContext ctx) {
      this.ctx = ctx;
    }

    void start() {
      parser = RecordParser.newDelimited("\n", ctx.request());
      parser.handler(this::onLine);
      parser.exceptionHandler(this::fail);
      parser.endHandler(v -> inFlight.compose(x -> flush()).onSuccess(x -> respond()).onFailure(this::fail));
    }

    private void onLine(Buffer buf) {
      if (failed) {
        return;
      }
      line++;
      bytes += buf.length() + 1;
      if (bytes > maxBytes) {
        fail(Problem.tooLarge("An import may be at most " + maxBytes / (1024 * 1024) + " MiB; " + imported
            + " payments were imported before the limit"));
        return;
      }
      String text = buf.toString(StandardCharsets.UTF_8);
      if (text.isBlank()) {
        return;
      }
      JsonObject o = Bodies.parseObject(Buffer.buffer(text));
      if (o == null) {
        reject(line, List.of(new Problem.FieldError("line", "is not a JSON object")));
        return;
      }
      try {
        batch.add(new Pending(line, ImportedPayment.from(o)));
      } catch (Problem p) {
        reject(line, p.errors());
        return;
      }
      if (batch.size() >= BATCH) {
        parser.pause();
        inFlight = inFlight.compose(v -> flush()).onSuccess(v -> {
          if (!failed) {
            parser.resume();
          }
        }).onFailure(this::fail);
      }
    }

    private Future<Void> flush() {
      if (batch.isEmpty()) {
        return Future.succeededFuture();
      }
      List<Pending> rows = batch;
      batch = new ArrayList<>();
      return pool.preparedQuery(INSERT).execute(tuple(rows)).map(result -> {
        Set<Long> done = new HashSet<>();
        for (Row r : result) {
          done.add(r.getLong("line"));
        }
        imported += done.size();
        for (Pending p : rows) {
          if (!done.contains(p.line())) {
            reject(p.line(), List.of(new Problem.FieldError(p.payment().debtorId() != null ? "debtorId" : "email",
                "matches no debtor")));
          }
        }
        return null;
      });
    }

    private void reject(long at, List<Problem.FieldError> errors) {
      rejectedCount++;
      if (rejected.size() < MAX_LISTED_REJECTIONS) {
        JsonArray e = new JsonArray();
        errors.forEach(fe -> e.add(fe.toJson()));
        rejected.add(new JsonObject().put("line", at).put("errors", e));
      }
    }

    private void respond() {
      if (failed) {
        return;
      }
      LOG.info("Payment import: {} imported, {} rejected", imported, rejectedCount);
      Requests.json(ctx, 200, new JsonObject()
          .put("imported", imported)
          .put("rejectedCount", rejectedCount)
          .put("rejected", rejected));
    }

    private void fail(Throwable t) {
      if (failed) {
        return;
      }
      failed = true;
      if (imported > 0) {
        LOG.warn("Payment import stopped after {} imported: {}", imported, t.toString());
      }
      if (!ctx.response().ended()) {
        if (t instanceof Problem p) {
          ctx.response().putHeader("Connection", "close");
          Problems.send(ctx.response(), p);
        } else {
          ctx.fail(t);
        }
      }
    }
  }

  private static Tuple tuple(List<Pending> rows) {
    int n = rows.size();
    Long[] lines = new Long[n];
    UUID[] ids = new UUID[n];
    String[] emails = new String[n];
    String[] amounts = new String[n];
    String[] statuses = new String[n];
    String[] types = new String[n];
    String[] methods = new String[n];
    OffsetDateTime[] created = new OffsetDateTime[n];
    OffsetDateTime[] completed = new OffsetDateTime[n];
    String[] credited = new String[n];
    String[] refunded = new String[n];
    for (int i = 0; i < n; i++) {
      Pending p = rows.get(i);
      ImportedPayment ip = p.payment();
      lines[i] = p.line();
      ids[i] = ip.debtorId();
      emails[i] = ip.email();
      amounts[i] = ip.amount().toPlainString();
      statuses[i] = ip.status();
      types[i] = ip.paymentType();
      methods[i] = ip.paymentMethod();
      created[i] = ip.createdAt();
      completed[i] = ip.completedAt();
      credited[i] = ip.credit().toPlainString();
      refunded[i] = ip.refunded().toPlainString();
    }
    return Tuple.of(lines, ids, emails, amounts, statuses, types, methods, created, completed)
        .addValue(credited).addValue(refunded);
  }
}
