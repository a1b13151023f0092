package dev.beacon.http;

import dev.beacon.http.Problem.FieldError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The engine behind every streamed import (debtors, payments, events): it splits the body into records (lines, or
 * CSV records whose quoted fields may span lines; see {@link Records}), hands each to the feature's {@link Feature},
 * and writes the rows in batches, pausing the request while a batch commits, so a file of any size needs memory for
 * one batch and one record only. The body's bytes are counted as they arrive, declared length or not (chunked).
 * A record over {@value #MAX_RECORD_BYTES} bytes, or not valid in the body's charset, is rejected by its line; one
 * bad line never aborts the others; the answer lists each rejected line with its errors.
 */
public final class LineImport<R> {
  private static final Logger LOG = LoggerFactory.getLogger(LineImport.class);
  /** At most this many rejected lines are listed; {@code rejectedCount} stays exact. */
  public static final int MAX_LISTED_REJECTIONS = 10_000;
  /** The longest record (a line, or a CSV record with its embedded line breaks) an import reads. */
  public static final int MAX_RECORD_BYTES = 64 * 1024;
  /** How the body is split into records. */
  public enum Framing { LINES, CSV }

  /** One accepted row and the line it came from. */
  public record Row<R>(long line, R value) {}

  /** What a feature supplies for one import request. */
  public interface Feature<R> {
    /**
     * One record (a line without its line break, or a whole CSV record) into a row, or null when it yields none
     * (blank, a header). {@code line} is the record's first line. Throws {@link Rejected} for a bad line, or a {@link Problem} to
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

  /**
   * One NDJSON line as a JSON object, or the line's rejection: not an object, or a field the strict reader refuses
   * (a duplicate key, a number out of range, a lone surrogate).
   */
  public static JsonObject jsonLine(long line, String text) {
    JsonObject o;
    try {
      o = StrictJson.object(Buffer.buffer(text));
    } catch (Problem p) {
      throw Rejected.of(line, p);
    }
    if (o == null) {
      throw new Rejected(line, "line", "is not a JSON object");
    }
    return o;
  }

  /**
   * Streams the request body, split into lines, through {@code feature}. The caller has checked the media type;
   * this checks the charset and the size (a declared Content-Length up front, the bytes read as they come) and
   * answers the request.
   */
  public static <R> void run(RoutingContext ctx, long maxBytes, int batchSize, String what, Feature<R> feature) {
    run(ctx, maxBytes, batchSize, what, Framing.LINES, feature);
  }

  /** As {@link #run(RoutingContext, long, int, String, Feature)}, with the body split as {@code framing} says. */
  public static <R> void run(RoutingContext ctx, long maxBytes, int batchSize, String what, Framing framing,
                             Feature<R> feature) {
    Charset charset = charset(ctx);
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && length.matches("[0-9]{1,18}") && Long.parseLong(length) > maxBytes) {
      throw Problem.tooLarge("An import may be at most " + maxBytes / (1024 * 1024) + " MiB");
    }
    new LineImport<>(ctx, maxBytes, batchSize, what, feature, framing, charset).start();
  }

  /** The charsets an import may name; UTF-8 when none is named. */
  private static final Map<String, Charset> CHARSETS = Map.of(
      "utf-8", StandardCharsets.UTF_8, "utf8", StandardCharsets.UTF_8,
      "iso-8859-1", StandardCharsets.ISO_8859_1, "latin1", StandardCharsets.ISO_8859_1,
      "latin-1", StandardCharsets.ISO_8859_1, "windows-1252", Charset.forName("windows-1252"),
      "cp1252", Charset.forName("windows-1252"), "us-ascii", StandardCharsets.US_ASCII);

  static Charset charset(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null) {
      return StandardCharsets.UTF_8;
    }
    for (String param : type.split(";")) {
      String[] kv = param.trim().split("=", 2);
      if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("charset")) {
        String name = kv[1].trim().replace("\"", "").toLowerCase(Locale.ROOT);
        Charset c = CHARSETS.get(name);
        if (c == null) {
          throw new Problem(415, "unsupported-media-type", "Unsupported media type",
              "charset must be utf-8, iso-8859-1 or windows-1252", List.of(), new JsonObject(), Map.of());
        }
        return c;
      }
    }
    return StandardCharsets.UTF_8;
  }

  private final RoutingContext ctx;
  private final long maxBytes;
  private final int batchSize;
  private final String what;
  private final Feature<R> feature;
  private final Charset charset;
  private final Records records;
  private final JsonArray rejected = new JsonArray();
  /** Records split from the chunks read so far and not yet parsed (at most about one chunk's worth). */
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private List<Row<R>> batch = new ArrayList<>();
  private final Set<Object> batchKeys = new HashSet<>();
  private Future<Void> inFlight = Future.succeededFuture();
  private long bytes;
  private long rejectedCount;
  private boolean failed;
  private boolean writing;
  private boolean ended;

  /** A record waiting in the queue. */
  private record Raw(long line, byte[] bytes) {}

  private LineImport(RoutingContext ctx, long maxBytes, int batchSize, String what, Feature<R> feature,
                     Framing framing, Charset charset) {
    this.ctx = ctx;
    this.maxBytes = maxBytes;
    this.batchSize = batchSize;
    this.what = what;
    this.feature = feature;
    this.charset = charset;
    this.records = new Records(framing == Framing.CSV, MAX_RECORD_BYTES, charset == StandardCharsets.UTF_8,
        new Records.Sink() {
          @Override
          public void record(long line, byte[] b, int n) {
            queue.add(new Raw(line, Arrays.copyOf(b, n)));
          }

          @Override
          public void tooLong(long line, boolean quoted) {
            queue.add(new Rejected(line, "row", quoted
                ? "has a quoted field that does not end within " + MAX_RECORD_BYTES / 1024 + " KiB (an unbalanced quote?)"
                : "is longer than " + MAX_RECORD_BYTES / 1024 + " KiB"));
          }
        });
  }

  private void start() {
    var req = ctx.request();
    req.handler(this::onChunk);
    req.exceptionHandler(this::fail);
    req.endHandler(v -> {
      ended = true;
      if (!failed) {
        records.end();
        drain();
      }
    });
  }

  private void onChunk(Buffer chunk) {
    if (failed) {
      return;
    }
    bytes += chunk.length();
    if (bytes > maxBytes) {
      fail(Problem.tooLarge("An import may be at most " + maxBytes / (1024 * 1024) + " MiB; the lines before the "
          + "limit were imported: " + feature.counts().encode()));
      return;
    }
    records.feed(chunk.getBytes());
    drain();
  }

  /** Parses queued records until a batch must be written (reading pauses meanwhile) or the queue is empty. */
  private void drain() {
    while (!failed && !writing && !queue.isEmpty()) {
      Object next = queue.poll();
      if (next instanceof Rejected r) {
        reject(r);
      } else {
        Raw raw = (Raw) next;
        onRecord(raw.line(), raw.bytes());
      }
    }
    if (failed || writing) {
      return;
    }
    if (ended) {
      inFlight.compose(x -> flush()).onSuccess(x -> respond()).onFailure(this::fail);
    } else {
      ctx.request().resume();
    }
  }

  private void onRecord(long line, byte[] raw) {
    String text;
    try {
      text = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
    } catch (CharacterCodingException e) {
      reject(new Rejected(line, "row", "is not valid " + charset.name()
          + (charset == StandardCharsets.UTF_8 ? " (name the file's charset, e.g. charset=iso-8859-1)" : "")));
      return;
    }
    onLine(line, text);
  }

  private void onLine(long line, String text) {
    if (failed) {
      return;
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

  /** Seals the current batch now and writes it after the batches before it; parsing waits meanwhile. */
  private void queueFlush() {
    ctx.request().pause();
    writing = true;
    List<Row<R>> rows = seal();
    inFlight = inFlight.compose(v -> write(rows)).onSuccess(v -> {
      writing = false;
      if (!failed) {
        drain();
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
    if (t instanceof Problem p && p.status() < 500) {
      LOG.debug("{} import refused ({} so far): {}", what, feature.counts().encode(), Untrusted.of(p.getMessage()));
    } else {
      LOG.warn("{} import stopped ({} so far): {}", what, feature.counts().encode(), Untrusted.of(t));
    }
    if (!ctx.response().ended()) {
      if (t instanceof Problem p) {
        // The rest of the body is not read: close the connection after answering.
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        Problems.send(ctx.response(), p);
      } else {
        ctx.fail(t);
      }
    }
  }
}
