package dev.beacon.debtors;

import dev.beacon.core.Tokens;
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

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/debtors/import}: streams a CSV or NDJSON body line by line, validates each row, and writes
 * valid rows in batches of {@value #BATCH} (one statement each; the request is paused while a batch commits).
 * A row whose email already exists updates that debtor. One bad row never aborts the others.
 */
final class DebtorImport {
  static final int BATCH = 1000;

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
          AND coalesce(i.amount_paid::numeric, d.amount_paid) <= coalesce(i.total_owed::numeric, d.total_owed)
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
        WHERE (i.email IS NULL OR NOT EXISTS (SELECT 1 FROM debtors d WHERE d.email = i.email))
          AND coalesce(i.amount_paid::numeric, 0) <= coalesce(i.total_owed::numeric, 0)
        ON CONFLICT (email) DO NOTHING
        RETURNING unique_token
      )
      SELECT 'u' AS op, unique_token FROM upd
      UNION ALL
      SELECT 'i', unique_token FROM ins
      UNION ALL
      SELECT 'm', i.unique_token FROM input i LEFT JOIN debtors d ON d.email = i.email AND d.status <> 'closed'
      WHERE coalesce(i.amount_paid::numeric, d.amount_paid, 0) > coalesce(i.total_owed::numeric, d.total_owed, 0)""";

  /** CSV header cells by their column key ({@link Csv#columnKey}). */
  private static final Map<String, DebtorField> COLUMNS = java.util.Arrays.stream(DebtorField.values())
      .collect(java.util.stream.Collectors.toUnmodifiableMap(f -> Csv.columnKey(f.json), f -> f));

  private final Pool pool;
  private final long maxBytes;

  DebtorImport(Pool pool, long maxBytes) {
    this.pool = pool;
    this.maxBytes = maxBytes;
  }

  void handle(RoutingContext ctx) {
    String mime = Requests.mediaType(ctx);
    boolean csv = mime.equals(Requests.CSV);
    if (!csv && !Requests.NDJSON.contains(mime)) {
      throw Problem.unsupportedMediaType("text/csv or application/x-ndjson");
    }
    LineImport.run(ctx, maxBytes, BATCH, "Debtor", csv ? LineImport.Framing.CSV : LineImport.Framing.LINES,
        new Rows(csv));
  }

  /** One valid row waiting for its batch, with the token it gets if it creates a debtor. */
  private record Pending(DebtorInput input, String token) {}

  /** Parsing and writing for one import request (CSV with its header, or NDJSON). */
  private final class Rows implements LineImport.Feature<Pending> {
    private final boolean csv;
    private List<String> header;
    private long created;
    private long updated;

    Rows(boolean csv) {
      this.csv = csv;
    }

    @Override
    public Pending parse(long line, String text) {
      return csv ? csvRecord(line, text) : jsonLine(line, text);
    }

    private Pending csvRecord(long line, String text) {
      if (text.isBlank()) {
        return null;
      }
      List<String> fields;
      try {
        fields = Csv.fields(text);
      } catch (IllegalArgumentException e) {
        throw new LineImport.Rejected(line, "row", e.getMessage());
      }
      if (header == null) {
        header = header(fields);
        return null;
      }
      if (fields.size() != header.size()) {
        throw new LineImport.Rejected(line, "row", "has " + fields.size() + " fields; the header has "
            + header.size());
      }
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        row.put(header.get(i), fields.get(i).trim());
      }
      try {
        return new Pending(DebtorInput.fromText(row), Tokens.newToken());
      } catch (Problem p) {
        throw LineImport.Rejected.of(line, p);
      }
    }

    /**
     * The header names the columns, in any case and spacing ({@code " First Name "} is {@code firstName}); an
     * unknown or repeated one refuses the whole file before anything is written.
     */
    private List<String> header(List<String> fields) {
      List<String> names = new ArrayList<>();
      List<Problem.FieldError> bad = new ArrayList<>();
      for (String h : fields) {
        DebtorField f = COLUMNS.get(Csv.columnKey(h));
        if (f == null) {
          bad.add(new Problem.FieldError(h.strip(), "is not a known column"));
        } else if (names.contains(f.json)) {
          bad.add(new Problem.FieldError(h.strip(), "names a column twice"));
        } else {
          names.add(f.json);
        }
      }
      if (!bad.isEmpty()) {
        throw Problem.invalid(bad);
      }
      return names;
    }

    private Pending jsonLine(long line, String text) {
      if (text.isBlank()) {
        return null;
      }
      JsonObject o = LineImport.jsonLine(line, text);
      try {
        return new Pending(DebtorInput.fromJson(o, DebtorInput.Mode.CREATE), Tokens.newToken());
      } catch (Problem p) {
        throw LineImport.Rejected.of(line, p);
      }
    }

    /** The same email twice in one statement cannot be upserted: it starts a new batch. */
    @Override
    public Object batchKey(Pending row) {
      return row.input().get(DebtorField.EMAIL);
    }

    @Override
    public Future<List<LineImport.Rejected>> write(List<LineImport.Row<Pending>> rows) {
      return pool.preparedQuery(UPSERT).execute(tuple(rows)).map(result -> {
        Set<String> done = new HashSet<>();
        Set<String> overpaid = new HashSet<>();
        for (Row r : result) {
          if ("m".equals(r.getString("op"))) {
            overpaid.add(r.getString("unique_token"));
            continue;
          }
          done.add(r.getString("unique_token"));
          if ("i".equals(r.getString("op"))) {
            created++;
          } else {
            updated++;
          }
        }
        List<LineImport.Rejected> rejected = new ArrayList<>();
        for (var p : rows) {
          if (overpaid.contains(p.value().token()) && !done.contains(p.value().token())) {
            rejected.add(new LineImport.Rejected(p.line(), "amountPaid", DebtorInput.PAID_OVER_OWED));
          } else if (!done.contains(p.value().token())) {
            rejected.add(new LineImport.Rejected(p.line(), "email",
                "belongs to a closed debtor, or was created by another request at the same moment"));
          }
        }
        return rejected;
      });
    }

    @Override
    public List<LineImport.Rejected> finish() {
      if (csv && header == null) {
        throw Problem.invalid("body", "a CSV import needs a header row naming its columns");
      }
      return List.of();
    }

    @Override
    public JsonObject counts() {
      return new JsonObject().put("created", created).put("updated", updated);
    }
  }

  private static Tuple tuple(List<LineImport.Row<Pending>> rows) {
    int n = rows.size();
    String[][] text = new String[14][n];
    Boolean[][] flags = new Boolean[3][n];
    for (int i = 0; i < n; i++) {
      Pending p = rows.get(i).value();
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
