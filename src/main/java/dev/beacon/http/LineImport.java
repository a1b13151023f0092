package dev.beacon.http;

import dev.beacon.http.Problem.FieldError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The engine behind every streamed import (debtors, payments, events): it splits the body into records (lines, or
 * CSV records whose quoted fields may span lines; see {@link Records}), hands each to the feature's {@link Feature},
 * and writes the rows in batches, pausing the request while a batch commits, so a file of any size needs memory for
 * one batch and one record only. The body's bytes are counted as they arrive, declared length or not (chunked).
 * A record over {@value #MAX_RECORD_BYTES} bytes, or not valid in the body's charset, is rejected by its line; one
 * bad line never aborts the others; the answer lists each rejected line with its errors. This class is the
 * contract a feature implements and the entry point; {@link ImportStream} is the engine that reads one body.
 */
public final class LineImport {
  private LineImport() {}

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
    new ImportStream<>(ctx, maxBytes, batchSize, what, feature, framing, charset).start();
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
}
