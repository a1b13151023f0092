package dev.beacon.tracking;

import dev.beacon.config.BeaconConfig;
import dev.beacon.core.IpAddresses;
import dev.beacon.db.Uuids;
import dev.beacon.http.Bodies;
import dev.beacon.http.LineImport;
import dev.beacon.http.Problem.FieldError;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import dev.beacon.http.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.net.InetAddress;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code POST /api/events/import}: historical opens, clicks and page views as NDJSON, streamed line by line and
 * written {@value #BATCH} lines at a time straight through the enricher's SQL (keyed by debtor id, not through
 * the journal: the import answers with what it wrote), so the same classification and timing rules apply and
 * the dashboard's dirty hours are marked in the same statements. Per-line errors; one bad line never aborts the others.
 */
final class EventImport {
  static final int BATCH = 500;
  /** An imported page view with neither user agent nor address: nothing says it was not a person. */
  static final Classifier.Verdict IMPORTED_VIEW = new Classifier.Verdict(Classifier.Label.HUMAN,
      "imported without user agent or address");

  private final EventImportRepository repository;
  private final Classifier classifier;
  private final BeaconConfig.Tracking config;
  private final long maxBytes;

  private EventImport(Pool pool, BeaconConfig config, Classifier classifier) {
    this.repository = new EventImportRepository(pool);
    this.classifier = classifier;
    this.config = config.tracking();
    this.maxBytes = config.http().importLimitBytes();
  }

  static void mount(Router router, Pool pool, BeaconConfig config, Classifier classifier) {
    EventImport i = new EventImport(pool, config, classifier);
    router.post("/api/events/import").handler(i::handle);
  }

  private void handle(RoutingContext ctx) {
    if (!Requests.NDJSON.contains(Requests.mediaType(ctx))) {
      throw Problem.unsupportedMediaType("application/x-ndjson");
    }
    LineImport.run(ctx, maxBytes, BATCH, "Events", new Lines());
  }

  /** One valid line: an email event or a page view, with its debtor and communication for the existence check. */
  private record Pending(UUID debtorId, UUID communicationId, EmailEventSql.EmailEvent email, PageViewSql.NewView view) {}

  /** Parsing and writing for one import request. */
  private final class Lines implements LineImport.Feature<Pending> {
    private long imported;

    @Override
    public Pending parse(long line, String raw) {
      String text = raw.trim();
      if (text.isEmpty()) {
        return null;
      }
      JsonObject o = LineImport.jsonLine(line, text);
      try {
        return event(o);
      } catch (Problem p) {
        throw LineImport.Rejected.of(line, p);
      }
    }

    @Override
    public Future<List<LineImport.Rejected>> write(List<LineImport.Row<Pending>> rows) {
      UUID[] debtors = rows.stream().map(r -> r.value().debtorId()).toArray(UUID[]::new);
      UUID[] comms = rows.stream().map(r -> r.value().communicationId()).toArray(UUID[]::new);
      List<LineImport.Rejected> rejected = new ArrayList<>();
      return repository.known(debtors, comms).compose(known -> {
        List<EmailEventSql.EmailEvent> emails = new ArrayList<>();
        List<PageViewSql.NewView> views = new ArrayList<>();
        List<UUID> touchedIds = new ArrayList<>();
        for (int k = 0; k < known.size(); k++) {
          var row = rows.get(k);
          Pending p = row.value();
          if (!known.get(k).debtor()) {
            rejected.add(new LineImport.Rejected(row.line(), "debtorId", "is not a known debtor"));
          } else if (!known.get(k).communication()) {
            rejected.add(new LineImport.Rejected(row.line(), "communicationId",
                "is not a communication of this debtor"));
          } else {
            if (p.email() != null) {
              emails.add(p.email());
            } else {
              views.add(p.view());
            }
            touchedIds.add(p.debtorId());
          }
        }
        int accepted = emails.size() + views.size();
        return repository.write(emails, views, touchedIds.toArray(new UUID[0]), config.sendWindow()).map(v -> {
          imported += accepted;
          return rejected;
        });
      });
    }

    @Override
    public JsonObject counts() {
      return new JsonObject().put("imported", imported);
    }

    private Pending event(JsonObject o) {
      List<FieldError> errors = new ArrayList<>();
      UUID debtorId = Uuids.parseOrNull(o.getValue("debtorId"));
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
        comm = Uuids.parseOrNull(o.getValue("communicationId"));
        if (comm == null) {
          errors.add(new FieldError("communicationId", "must be a UUID"));
        }
      }
      String ua = null;
      if (o.getValue("userAgent") != null) {
        if (o.getValue("userAgent") instanceof String s) {
          ua = UserAgent.clip(s.replace("\u0000", ""));
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
        pageType = BeaconInput.pageType(o.getValue("pageType"), errors);
        time = BeaconInput.timeOnPage(o.getValue("timeOnPage"), errors);
        actions = BeaconInput.actions(o.getValue("actions"), errors);
      }
      if (!errors.isEmpty()) {
        throw Problem.invalid(errors);
      }
      String stored = IpAddresses.stored(ip, config.ipStorage());
      if (kind.equals("page_view")) {
        // A page view exported by another system often carries no user agent: unknown, not a script's.
        Classifier.Verdict verdict = ua == null && ip == null ? IMPORTED_VIEW : classifier.classify(
            new Classifier.Signals(Classifier.Kind.VIEW, false, ua, null, null, null, null, ip));
        return new Pending(debtorId, null, null,
            new PageViewSql.NewView(Uuids.v7(), debtorId, pageType, ua, stored, time, actions, when, verdict));
      }
      Classifier.Kind k = kind.equals("open") ? Classifier.Kind.OPEN : Classifier.Kind.CLICK;
      Classifier.Verdict verdict = classifier.classify(new Classifier.Signals(k, false, ua, null, null, null, null, ip));
      return new Pending(debtorId, comm, new EmailEventSql.EmailEvent(debtorId, comm, k, when, ua, stored,
          verdict, k == Classifier.Kind.CLICK ? (String) url : null), null);
    }
  }
}
