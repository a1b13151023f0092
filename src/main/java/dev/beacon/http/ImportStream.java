package dev.beacon.http;

import dev.beacon.http.LineImport.Feature;
import dev.beacon.http.LineImport.Framing;
import dev.beacon.http.LineImport.Rejected;
import dev.beacon.http.LineImport.Row;
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
import java.util.Set;

import static dev.beacon.http.LineImport.MAX_LISTED_REJECTIONS;
import static dev.beacon.http.LineImport.MAX_RECORD_BYTES;

/**
 * One import request's body on its way through a {@link Feature} ({@link LineImport} says what an import does):
 * chunks split into records ({@link Records}), records decoded and parsed in order, rows written in batches one
 * after the other with the request paused while a batch is written, rejections collected, and the answer.
 */
final class ImportStream<R> {
  private static final Logger LOG = LoggerFactory.getLogger(LineImport.class);

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

  ImportStream(RoutingContext ctx, long maxBytes, int batchSize, String what, Feature<R> feature,
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

  void start() {
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
