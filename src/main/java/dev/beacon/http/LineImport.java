package dev.beacon.http;

import dev.beacon.http.Problem.FieldError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The engine behind every streamed import (debtors, payments, events): it reads the body line by line, hands
 * each line to the feature's {@link Feature}, and writes the rows in batches, pausing the request while a batch
 * commits, so a file of any size needs memory for one batch only. One bad line never aborts the others; the
 * answer lists each rejected line with its errors.
 */
public final class LineImport<R> {
  private static final Logger LOG = LoggerFactory.getLogger(LineImport.class);
  /** At most this many rejected lines are listed; {@code rejectedCount} stays exact. */
  public static final int MAX_LISTED_REJECTIONS = 10_000;
  public static final Set<String> NDJSON = Set.of("application/x-ndjson", "application/ndjson");

  /** One accepted row and the line it came from. */
  public record Row<R>(long line, R value) {}

  /** What a feature supplies for one import request. */
  public interface Feature<R> {
    /**
     * One physical line (without its line break) into a row, or null when the line yields none (blank, a
     * header, part of a multi-line record). Throws {@link Rejected} for a bad line, or a {@link Problem} to
     * refuse the whole import (nothing more is read).
     */
    R parse(long line, String text);

    /**
     * A key that may appear only once per batch (e.g. the email an upsert matches on), or null. A row whose key
     * is already in the current batch starts a new batch.
     */
    default Object batchKey(R row) {
      return null;
    }

    /** Writes a batch in one statement (or one transaction); completes with the rows it could not write. */
    Future<List<Rejected>> write(List<Row<R>> rows);

    /** At the end of the body: a Problem to refuse the import, or rejections for an unfinished record. */
    default List<Rejected> finish() {
      return List.of();
    }

    /** The counts for the answer, e.g. {@code {created, updated}} or {@code {imported}}. */
    JsonObject counts();
  }

  /** A rejected line and why. */
  public static final class Rejected extends RuntimeException {
    private final long line;
    private final List<FieldError> errors;

    public Rejected(long line, List<FieldError> errors) {
      super(null, null, false, false);
      this.line = line;
      this.errors = List.copyOf(errors);
    }

    public Rejected(long line, String field, String message) {
      this(line, List.of(new FieldError(field, message)));
    }

    /** A validation problem about one line becomes that line's rejection. */
    public static Rejected of(long line, Problem p) {
      return new Rejected(line, p.errors().isEmpty() ? List.of(new FieldError("line", p.getMessage())) : p.errors());
    }

    public long line() {
      return line;
    }

    public List<FieldError> errors() {
      return errors;
    }
  }

  /** The media type of the request without parameters, lower case; empty when absent. */
  public static String mediaType(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    return type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
  }

  /**
   * Streams the request body through {@code feature}. The caller has checked the media type; this checks the
   * size (a declared Content-Length up front, the bytes read as they come) and answers the request.
   */
  public static <R> void run(RoutingContext ctx, long maxBytes, int batchSize, String what, Feature<R> feature) {
    String length = ctx.request().getHeader("Content-Length");
    if (length != null && length.matches("[0-9]{1,18}") && Long.parseLong(length) > maxBytes) {
      throw Problem.tooLarge("An import may be at most " + maxBytes / (1024 * 1024) + " MiB");
    }
    new LineImport<>(ctx, maxBytes, batchSize, what, feature).start();
  }

  private final RoutingContext ctx;
  private final long maxBytes;
  private final int batchSize;
  private final String what;
  private final Feature<R> feature;
  private final JsonArray rejected = new JsonArray();
  private RecordParser parser;
  private List<Row<R>> batch = new ArrayList<>();
  private final Set<Object> batchKeys = new HashSet<>();
  private Future<Void> inFlight = Future.succeededFuture();
  private long line;
  private long bytes;
  private long rejectedCount;
  private boolean failed;

  private LineImport(RoutingContext ctx, long maxBytes, int batchSize, String what, Feature<R> feature) {
    this.ctx = ctx;
    this.maxBytes = maxBytes;
    this.batchSize = batchSize;
    this.what = what;
    this.feature = feature;
  }

  private void start() {
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
      fail(Problem.tooLarge("An import may be at most " + maxBytes / (1024 * 1024) + " MiB; the lines before the "
          + "limit were imported: " + feature.counts().encode()));
      return;
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    R row;
    try {
      row = feature.parse(line, text);
    } catch (Rejected r) {
      reject(r);
      return;
    } catch (Problem p) {
      fail(p);
      return;
    }
    if (row == null) {
      return;
    }
    Object key = feature.batchKey(row);
    if (key != null && !batchKeys.add(key)) {
      queueFlush();
      batchKeys.add(key);
    }
    batch.add(new Row<>(line, row));
    if (batch.size() >= batchSize) {
      queueFlush();
    }
  }

  /** Seals the current batch now and writes it after the batches before it; reading waits meanwhile. */
  private void queueFlush() {
    parser.pause();
    List<Row<R>> rows = seal();
    inFlight = inFlight.compose(v -> write(rows)).onSuccess(v -> {
      if (!failed) {
        parser.resume();
      }
    }).onFailure(this::fail);
  }

  private List<Row<R>> seal() {
    List<Row<R>> rows = batch;
    batch = new ArrayList<>();
    batchKeys.clear();
    return rows;
  }

  private Future<Void> flush() {
    return write(seal());
  }

  private Future<Void> write(List<Row<R>> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    return feature.write(rows).map(rejections -> {
      rejections.forEach(this::reject);
      return null;
    });
  }

  private void reject(Rejected r) {
    rejectedCount++;
    if (rejected.size() < MAX_LISTED_REJECTIONS) {
      JsonArray e = new JsonArray();
      r.errors().forEach(fe -> e.add(fe.toJson()));
      rejected.add(new JsonObject().put("line", r.line()).put("errors", e));
    }
  }

  private void respond() {
    if (failed) {
      return;
    }
    List<Rejected> last;
    try {
      last = feature.finish();
    } catch (Problem p) {
      fail(p);
      return;
    }
    last.forEach(this::reject);
    JsonObject body = feature.counts().copy().put("rejectedCount", rejectedCount).put("rejected", rejected);
    LOG.info("{} import: {}, {} rejected", what, feature.counts().encode(), rejectedCount);
    Requests.json(ctx, 200, body);
  }

  private void fail(Throwable t) {
    if (failed) {
      return;
    }
    failed = true;
    LOG.warn("{} import stopped ({} so far): {}", what, feature.counts().encode(), t.toString());
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
