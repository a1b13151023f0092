package dev.beacon.tracking;

import dev.beacon.Deps;
import dev.beacon.config.BeaconConfig;
import dev.beacon.http.Bodies;
import dev.beacon.http.Problem;
import dev.beacon.http.Problem.FieldError;
import dev.beacon.http.Problems;
import dev.beacon.http.Requests;
import dev.beacon.http.Times;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * {@code POST /api/events/import}: historical opens, clicks and page views as NDJSON, streamed line by line and
 * written {@value #BATCH} lines at a time through the live path's SQL (keyed by debtor id), so the same
 * classification and timing rules apply. Per-line errors; one bad line never aborts the others.
 */
final class EventImport {
  private static final Logger LOG = LoggerFactory.getLogger(EventImport.class);
  static final int BATCH = 500;
  static final int MAX_LISTED_REJECTIONS = 10_000;
  private static final String CHECK = """
      SELECT i.n, d.id IS NOT NULL AS debtor_ok, (i.comm IS NULL OR c.id IS NOT NULL) AS comm_ok
      FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS i(debtor, comm, n)
      LEFT JOIN debtors d ON d.id = i.debtor
      LEFT JOIN communications c ON c.id = i.comm AND c.debtor_id = i.debtor
      ORDER BY i.n""";

  private final Pool pool;
  private final Classifier classifier;
  private final BeaconConfig.Tracking config;
  private final long maxBytes;

  private EventImport(Deps deps, Classifier classifier) {
    this.pool = deps.pool();
    this.classifier = classifier;
    this.config = deps.config().tracking();
    this.maxBytes = deps.config().http().importLimitMb() * 1024L * 1024L;
  }

  static void mount(Router router, Deps deps, Classifier classifier) {
    EventImport i = new EventImport(deps, classifier);
    router.post("/api/events/import").handler(i::handle);
  }

  private void handle(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mime.equals("application/x-ndjson") && !mime.equals("application/ndjson")) {
      throw Problem.unsupportedMediaType("application/x-ndjson");
    }
    String length = ctx.request().getHeader("Content-Length");
    if (length != null && length.matches("[0-9]{1,18}") && Long.parseLong(length) > maxBytes) {
      throw Problem.tooLarge("An import may be at most " + maxBytes / (1024 * 1024) + " MiB");
    }
    new Job(ctx).start();
  }

  /** One valid line: an email event or a page view, with its debtor and communication for the existence check. */
  private record Pending(long line, UUID debtorId, UUID communicationId, EventSql.EmailEvent email,
                         EventSql.NewView view) {}

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
            + " events were imported before the limit"));
        return;
      }
      String text = buf.toString(StandardCharsets.UTF_8).trim();
      if (text.isEmpty()) {
        return;
      }
      JsonObject o = Bodies.parseObject(Buffer.buffer(text));
      if (o == null) {
        reject(line, List.of(new FieldError("line", "is not a JSON object")));
        return;
      }
      try {
        batch.add(parse(line, o));
      } catch (Problem p) {
        reject(line, p.errors().isEmpty() ? List.of(new FieldError("line", p.getMessage())) : p.errors());
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
      UUID[] debtors = rows.stream().map(Pending::debtorId).toArray(UUID[]::new);
      UUID[] comms = rows.stream().map(Pending::communicationId).toArray(UUID[]::new);
      return pool.preparedQuery(CHECK).execute(Tuple.tuple().addArrayOfUUID(debtors).addArrayOfUUID(comms))
          .compose(check -> {
            List<EventSql.EmailEvent> emails = new ArrayList<>();
            List<EventSql.NewView> views = new ArrayList<>();
            int k = 0;
            for (Row r : check) {
              Pending p = rows.get(k++);
              if (!r.getBoolean("debtor_ok")) {
                reject(p.line(), List.of(new FieldError("debtorId", "is not a known debtor")));
              } else if (!r.getBoolean("comm_ok")) {
                reject(p.line(), List.of(new FieldError("communicationId", "is not a communication of this debtor")));
              } else if (p.email() != null) {
                emails.add(p.email());
              } else {
                views.add(p.view());
              }
            }
            int accepted = emails.size() + views.size();
            return pool.withTransaction(conn -> Future.all(
                    emails.isEmpty() ? Future.succeededFuture()
                        : conn.preparedQuery(EventSql.EMAIL_BY_ID).execute(EventSql.emailTuple(emails, config.sendWindow())),
                    views.isEmpty() ? Future.succeededFuture()
                        : conn.preparedQuery(EventSql.NEW_VIEW_BY_ID).execute(EventSql.newViewTuple(views))))
                .map(v -> {
                  imported += accepted;
                  return null;
                });
          });
    }

    private Pending parse(long at, JsonObject o) {
      List<FieldError> errors = new ArrayList<>();
      UUID debtorId = Beacons.uuid(o.getValue("debtorId"));
      if (debtorId == null) {
        errors.add(new FieldError("debtorId", "must be a UUID"));
      }
      String kind = o.getValue("kind") instanceof String s ? s : "";
      if (!List.of("open", "click", "page_view").contains(kind)) {
        errors.add(new FieldError("kind", "must be open, click or page_view"));
      }
      OffsetDateTime when = null;
      if (!(o.getValue("at") instanceof String s)) {
        errors.add(new FieldError("at", "is required (an ISO-8601 instant)"));
      } else {
        try {
          when = Times.parse("at", s);
        } catch (Problem p) {
          errors.addAll(p.errors());
        }
      }
      UUID comm = null;
      if (o.getValue("communicationId") != null) {
        comm = Beacons.uuid(o.getValue("communicationId"));
        if (comm == null) {
          errors.add(new FieldError("communicationId", "must be a UUID"));
        }
      }
      String ua = null;
      if (o.getValue("userAgent") != null) {
        if (o.getValue("userAgent") instanceof String s) {
          ua = Beacons.clip(s.replace("\u0000", ""));
        } else {
          errors.add(new FieldError("userAgent", "must be a string"));
        }
      }
      InetAddress ip = null;
      if (o.getValue("ip") != null) {
        ip = IpAddresses.parse(o.getValue("ip") instanceof String s ? s : null);
        if (ip == null) {
          errors.add(new FieldError("ip", "must be an IPv4 or IPv6 address"));
        }
      }
      Object url = o.getValue("url");
      if (kind.equals("click") && !(url instanceof String u && LinkSigner.allowedTarget(u))) {
        errors.add(new FieldError("url", "a click needs an absolute http or https URL"));
      } else if (!kind.equals("click") && url != null) {
        errors.add(new FieldError("url", "is only for clicks"));
      }
      String pageType = null;
      Integer time = null;
      String actions = null;
      if (kind.equals("page_view")) {
        pageType = Beacons.pageType(o.getValue("pageType"), errors);
        time = Beacons.timeOnPage(o.getValue("timeOnPage"), errors);
        actions = Beacons.actions(o.getValue("actions"), errors);
      }
      if (!errors.isEmpty()) {
        throw Problem.invalid(errors);
      }
      String stored = IpAddresses.stored(ip, config.ipStorage());
      if (kind.equals("page_view")) {
        return new Pending(at, debtorId, null, null,
            new EventSql.NewView(UUID.randomUUID(), debtorId.toString(), pageType, ua, stored, time, actions, when));
      }
      Classifier.Kind k = kind.equals("open") ? Classifier.Kind.OPEN : Classifier.Kind.CLICK;
      Classifier.Verdict verdict = classifier.classify(new Classifier.Signals(k, false, ua, null, null, null, null, ip));
      return new Pending(at, debtorId, comm, new EventSql.EmailEvent(debtorId.toString(), comm, k, when, ua, stored,
          verdict, k == Classifier.Kind.CLICK ? (String) url : null), null);
    }

    private void reject(long at, List<FieldError> errors) {
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
      LOG.info("Events import: {} imported, {} rejected", imported, rejectedCount);
      Requests.json(ctx, 200, new JsonObject().put("imported", imported).put("rejectedCount", rejectedCount)
          .put("rejected", rejected));
    }

    private void fail(Throwable t) {
      if (failed) {
        return;
      }
      failed = true;
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
}
