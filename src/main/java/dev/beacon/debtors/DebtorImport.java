package dev.beacon.debtors;

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

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/debtors/import}: streams a CSV or NDJSON body line by line, validates each row, and writes
 * valid rows in batches of {@value #BATCH} (one statement each; the request is paused while a batch commits).
 * A row whose email already exists updates that debtor. One bad row never aborts the others.
 */
final class DebtorImport {
  private static final Logger LOG = LoggerFactory.getLogger(DebtorImport.class);
  static final int BATCH = 1000;
  /** At most this many row errors are listed; the count stays exact. */
  static final int MAX_LISTED_REJECTIONS = 10_000;

  static final String UPSERT = """
      WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                             $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                             $15::bool[], $16::bool[], $17::bool[])
          AS i(unique_token, first_name, last_name, email, phone, address_line1, address_line2, city, state,
               zip_code, timezone, total_owed, amount_paid, status, phone_consent, email_consent, dnc_registered)
      ),
      upd AS (
        UPDATE debtors d SET
          first_name = i.first_name, last_name = i.last_name,
          phone = coalesce(i.phone, d.phone),
          address_line1 = coalesce(i.address_line1, d.address_line1),
          address_line2 = coalesce(i.address_line2, d.address_line2),
          city = coalesce(i.city, d.city), state = coalesce(i.state, d.state),
          zip_code = coalesce(i.zip_code, d.zip_code), timezone = coalesce(i.timezone, d.timezone),
          total_owed = coalesce(i.total_owed::numeric, d.total_owed),
          amount_paid = coalesce(i.amount_paid::numeric, d.amount_paid),
          status = coalesce(i.status, d.status),
          phone_consent = coalesce(i.phone_consent, d.phone_consent),
          email_consent = coalesce(i.email_consent, d.email_consent),
          dnc_registered = coalesce(i.dnc_registered, d.dnc_registered),
          updated_at = now()
        FROM input i
        WHERE i.email IS NOT NULL AND d.email = i.email AND d.status <> 'closed'
        RETURNING i.unique_token
      ),
      ins AS (
        INSERT INTO debtors (unique_token, first_name, last_name, email, phone, address_line1, address_line2, city,
                             state, zip_code, timezone, total_owed, amount_paid, status, phone_consent,
                             email_consent, dnc_registered)
        SELECT i.unique_token, i.first_name, i.last_name, i.email, i.phone, i.address_line1, i.address_line2,
               i.city, i.state, i.zip_code, i.timezone, coalesce(i.total_owed::numeric, 0),
               coalesce(i.amount_paid::numeric, 0), coalesce(i.status, 'active'), coalesce(i.phone_consent, false),
               coalesce(i.email_consent, true), coalesce(i.dnc_registered, false)
        FROM input i
        WHERE i.email IS NULL OR NOT EXISTS (SELECT 1 FROM debtors d WHERE d.email = i.email)
        ON CONFLICT (email) DO NOTHING
        RETURNING unique_token
      )
      SELECT 'u' AS op, unique_token FROM upd
      UNION ALL
      SELECT 'i', unique_token FROM ins""";

  private final Pool pool;
  private final long maxBytes;

  DebtorImport(Pool pool, long maxBytes) {
    this.pool = pool;
    this.maxBytes = maxBytes;
  }

  void handle(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String mime = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
    boolean csv = mime.equals("text/csv");
    if (!csv && !mime.equals("application/x-ndjson") && !mime.equals("application/ndjson")) {
      throw Problem.unsupportedMediaType("text/csv or application/x-ndjson");
    }
    String length = ctx.request().getHeader("Content-Length");
    if (length != null && length.matches("[0-9]{1,18}") && Long.parseLong(length) > maxBytes) {
      throw Problem.tooLarge("An import may be at most " + maxBytes / (1024 * 1024) + " MiB");
    }
    new Job(ctx, csv).start();
  }

  /** One valid row waiting for its batch. */
  private record Pending(long line, DebtorInput input, String token) {}

  /** The state of one import request. */
  private final class Job {
    private final RoutingContext ctx;
    private final boolean csv;
    private final Csv csvReader = new Csv();
    private RecordParser parser;
    private List<String> header;
    private long line;
    private long recordLine;
    private long bytes;
    private long created;
    private long updated;
    private long rejectedCount;
    private final JsonArray rejected = new JsonArray();
    private List<Pending> batch = new ArrayList<>();
    private final Set<String> batchEmails = new HashSet<>();
    private Future<Void> inFlight = Future.succeededFuture();
    private boolean failed;

    Job(RoutingContext ctx, boolean csv) {
      this.ctx = ctx;
      this.csv = csv;
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
        fail(Problem.tooLarge("An import may be at most " + maxBytes / (1024 * 1024) + " MiB; "
            + created + " rows were created and " + updated + " updated before the limit"));
        return;
      }
      String text = buf.toString(StandardCharsets.UTF_8);
      if (text.endsWith("\r")) {
        text = text.substring(0, text.length() - 1);
      }
      if (csv) {
        onCsvLine(text);
      } else {
        onJsonLine(text);
      }
    }

    private void onCsvLine(String text) {
      if (!csvReader.hasPending()) {
        recordLine = line;
        if (text.isBlank()) {
          return;
        }
      }
      List<String> fields = csvReader.feed(text);
      if (fields == null) {
        return;
      }
      if (header == null) {
        header = fields.stream().map(String::trim).toList();
        List<Problem.FieldError> bad = new ArrayList<>();
        for (String h : header) {
          if (DebtorField.byJson(h) == null) {
            bad.add(new Problem.FieldError(h, "is not a known column"));
          }
        }
        if (!bad.isEmpty()) {
          fail(Problem.invalid(bad));
        }
        return;
      }
      if (fields.size() != header.size()) {
        reject(recordLine, List.of(new Problem.FieldError("row", "has " + fields.size() + " fields; the header has "
            + header.size())));
        return;
      }
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        row.put(header.get(i), fields.get(i).trim());
      }
      try {
        accept(recordLine, DebtorInput.fromText(row));
      } catch (Problem p) {
        reject(recordLine, p.errors());
      }
    }

    private void onJsonLine(String text) {
      if (text.isBlank()) {
        return;
      }
      JsonObject o = Bodies.parseObject(Buffer.buffer(text));
      if (o == null) {
        reject(line, List.of(new Problem.FieldError("line", "is not a JSON object")));
        return;
      }
      try {
        accept(line, DebtorInput.fromJson(o, DebtorInput.Mode.CREATE));
      } catch (Problem p) {
        reject(line, p.errors());
      }
    }

    private void accept(long at, DebtorInput in) {
      String email = (String) in.get(DebtorField.EMAIL);
      if (email != null && !batchEmails.add(email)) {
        // The same email twice in one statement cannot be upserted: commit what is queued first.
        queueFlush();
        batchEmails.add(email);
      }
      batch.add(new Pending(at, in, Tokens.newToken()));
      if (batch.size() >= BATCH) {
        queueFlush();
      }
    }

    private void queueFlush() {
      parser.pause();
      inFlight = inFlight.compose(v -> flush()).onSuccess(v -> {
        if (!failed) {
          parser.resume();
        }
      }).onFailure(this::fail);
    }

    private Future<Void> flush() {
      if (batch.isEmpty()) {
        return Future.succeededFuture();
      }
      List<Pending> rows = batch;
      batch = new ArrayList<>();
      batchEmails.clear();
      return pool.preparedQuery(UPSERT).execute(tuple(rows)).map(result -> {
        Set<String> done = new HashSet<>();
        for (Row r : result) {
          done.add(r.getString("unique_token"));
          if ("i".equals(r.getString("op"))) {
            created++;
          } else {
            updated++;
          }
        }
        for (Pending p : rows) {
          if (!done.contains(p.token())) {
            reject(p.line(), List.of(new Problem.FieldError("email",
                "belongs to a closed debtor, or was created by another request at the same moment")));
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
      if (csv && header == null) {
        fail(Problem.invalid("body", "a CSV import needs a header row naming its columns"));
        return;
      }
      if (csvReader.hasPending()) {
        reject(recordLine, List.of(new Problem.FieldError("row", "has an unterminated quoted field")));
      }
      LOG.info("Debtor import: {} created, {} updated, {} rejected", created, updated, rejectedCount);
      Requests.json(ctx, 200, new JsonObject()
          .put("created", created)
          .put("updated", updated)
          .put("rejectedCount", rejectedCount)
          .put("rejected", rejected));
    }

    private void fail(Throwable t) {
      if (failed) {
        return;
      }
      failed = true;
      if (created + updated > 0) {
        LOG.warn("Debtor import stopped after {} created and {} updated: {}", created, updated, t.toString());
      }
      if (!ctx.response().ended()) {
        if (t instanceof Problem p) {
          // The rest of the body is not read: close the connection after answering.
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
    String[][] text = new String[14][n];
    Boolean[][] flags = new Boolean[3][n];
    for (int i = 0; i < n; i++) {
      Pending p = rows.get(i);
      DebtorInput in = p.input();
      text[0][i] = p.token();
      text[1][i] = (String) in.get(DebtorField.FIRST_NAME);
      text[2][i] = (String) in.get(DebtorField.LAST_NAME);
      text[3][i] = (String) in.get(DebtorField.EMAIL);
      text[4][i] = (String) in.get(DebtorField.PHONE);
      text[5][i] = (String) in.get(DebtorField.ADDRESS_LINE1);
      text[6][i] = (String) in.get(DebtorField.ADDRESS_LINE2);
      text[7][i] = (String) in.get(DebtorField.CITY);
      text[8][i] = (String) in.get(DebtorField.STATE);
      text[9][i] = (String) in.get(DebtorField.ZIP_CODE);
      text[10][i] = (String) in.get(DebtorField.TIMEZONE);
      text[11][i] = plain((BigDecimal) in.get(DebtorField.TOTAL_OWED));
      text[12][i] = plain((BigDecimal) in.get(DebtorField.AMOUNT_PAID));
      text[13][i] = (String) in.get(DebtorField.STATUS);
      flags[0][i] = (Boolean) in.get(DebtorField.PHONE_CONSENT);
      flags[1][i] = (Boolean) in.get(DebtorField.EMAIL_CONSENT);
      flags[2][i] = (Boolean) in.get(DebtorField.DNC_REGISTERED);
    }
    Tuple t = Tuple.tuple();
    for (String[] column : text) {
      t.addArrayOfString(column);
    }
    for (Boolean[] column : flags) {
      t.addArrayOfBoolean(column);
    }
    return t;
  }

  private static String plain(BigDecimal d) {
    return d == null ? null : d.toPlainString();
  }
}
