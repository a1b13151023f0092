package dev.beacon.debtors;

import dev.beacon.core.Tokens;
import dev.beacon.debtors.DebtorImportRepository.Pending;
import dev.beacon.http.LineImport;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code POST /api/debtors/import}: streams a CSV or NDJSON body line by line, validates each row, and writes
 * valid rows in batches of {@value #BATCH} (one statement each; the request is paused while a batch commits).
 * A row whose email already exists updates that debtor. One bad row never aborts the others.
 */
final class DebtorImport {
  static final int BATCH = 1000;

  /** CSV header cells by their column key ({@link Csv#columnKey}). */
  private static final Map<String, DebtorField> COLUMNS = Arrays.stream(DebtorField.values())
      .collect(Collectors.toUnmodifiableMap(f -> Csv.columnKey(f.json), f -> f));

  private final DebtorImportRepository repo;
  private final long maxBytes;

  DebtorImport(Pool pool, long maxBytes) {
    this.repo = new DebtorImportRepository(pool);
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
      return repo.upsert(rows.stream().map(LineImport.Row::value).toList()).map(outcome -> {
        created += outcome.created();
        updated += outcome.updated();
        Set<String> done = outcome.done();
        Set<String> overpaid = outcome.overpaid();
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
}
