package dev.beacon.worklist;

import dev.beacon.communications.Channel;
import dev.beacon.communications.CommunicationRepository;
import dev.beacon.communications.Compliance;
import dev.beacon.core.Money;
import dev.beacon.http.Paging;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import dev.beacon.http.Times;
import dev.beacon.worklist.WorklistRepository.Key;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Who to contact next, how and when (docs/worklist.md): {@code GET /api/worklist}, {@code GET /api/worklist/blocked}
 * and {@code GET /api/debtors/{id}/next-contact}. Agents and viewers read them.
 */
public final class WorklistRoutes {
  /** Why a debtor the gate allows is still not in a channel's worklist: nowhere to send it. */
  static final String NO_EMAIL = "no-email-address";
  static final String NO_PHONE = "no-phone-number";

  private final Clock clock = Clock.systemUTC();
  private final WorklistService service;
  private final PortfolioPattern portfolio;

  private WorklistRoutes(Pool pool) {
    WorklistRepository repo = new WorklistRepository();
    this.portfolio = PortfolioPattern.of(pool, repo);
    this.service = new WorklistService(pool, repo, new CommunicationRepository(), portfolio);
  }

  public static void mount(Router router, Pool pool) {
    WorklistRoutes r = new WorklistRoutes(pool);
    // The portfolio's pattern takes one scan of the engagement window (about 20 s on 10 million events): start it
    // now, so the first worklist after a start does not wait for it.
    r.portfolio.get();
    router.get("/api/worklist").handler(ctx -> r.list(ctx, false));
    router.get("/api/worklist/blocked").handler(ctx -> r.list(ctx, true));
    router.get("/api/debtors/:id/next-contact").handler(r::nextContact);
  }

  private void list(RoutingContext ctx, boolean blocked) {
    Channel channel = channel(ctx);
    Instant at = at(ctx);
    int limit = Paging.limit(ctx);
    Key after = cursor(ctx);
    service.page(channel, blocked, at, after, limit)
        .onSuccess(page -> {
          JsonArray items = new JsonArray();
          page.items().forEach(e -> items.add(blocked ? blockedRow(e, at) : row(e, channel, at)));
          Requests.json(ctx, 200, new JsonObject().put("channel", channel.wire()).put("at", Times.format(at))
              .put("ruleSet", Compliance.RULE_SET).put("items", items)
              .put("nextCursor", page.next() == null ? null : Paging.encode(new JsonObject()
                  .put("rank", page.next().rank().toPlainString()).put("id", page.next().id().toString()))));
        })
        .onFailure(ctx::fail);
  }

  private static JsonObject common(WorklistService.Entry e, Instant at) {
    var d = e.debtor();
    return new JsonObject().put("debtorId", d.id().toString()).put("firstName", d.firstName())
        .put("lastName", d.lastName()).put("status", d.status()).put("score", d.score())
        .put("balance", Money.format(d.balance()))
        .put("expectedCollection", Money.format(d.rank().movePointLeft(2).setScale(2, RoundingMode.HALF_UP)))
        .put("timeZone", e.zone().getId()).put("localTime", local(at.atZone(e.zone())));
  }

  private static JsonObject row(WorklistService.Entry e, Channel channel, Instant at) {
    return common(e, at).put("rulesPassed", new JsonArray(Compliance.rules(channel)))
        .put("bestHour", slot(e.bestHour()));
  }

  private static JsonObject blockedRow(WorklistService.Entry e, Instant at) {
    JsonObject j = common(e, at).put("rule", e.blockedBy());
    boolean gate = !e.decision().allowed();
    j.put("detail", gate ? e.decision().detail() : "The debtor has no " + (NO_EMAIL.equals(e.blockedBy())
        ? "email address" : "phone number"));
    j.put("nextAllowedAt", gate ? Times.format(e.decision().nextAllowedAt()) : null);
    return j;
  }

  static JsonObject slot(BestTime.Slot s) {
    if (s == null) {
      return null;
    }
    return new JsonObject().put("start", Times.format(s.start())).put("end", Times.format(s.end()))
        .put("localStart", local(s.localStart())).put("localHour", s.localStart().getHour())
        .put("hourOfWeek", s.hourOfWeek())
        .put("expectedResponseRate", BigDecimal.valueOf(s.responseRate()).setScale(4, RoundingMode.HALF_UP).doubleValue())
        .put("debtorEventsAtHour", s.debtorEvents()).put("portfolioEventsAtHour", s.portfolioEvents());
  }

  private void nextContact(RoutingContext ctx) {
    UUID id = Requests.uuid(ctx, "id");
    Instant at = at(ctx);
    service.nextContact(id, at).onSuccess(n -> {
      JsonObject channels = new JsonObject();
      n.channels().forEach((c, a) -> {
        JsonObject j = new JsonObject().put("allowed", a.now().allowed());
        if (!a.now().allowed()) {
          j.put("rule", a.now().rule()).put("detail", a.now().detail());
        }
        j.put("nextAllowedAt", Times.format(a.nextAllowedAt())).put("bestTime", slot(a.best()));
        channels.put(c.wire(), j);
      });
      BestTime.Portfolio p = n.rates().portfolio();
      Requests.json(ctx, 200, new JsonObject().put("debtorId", id.toString()).put("at", Times.format(at))
          .put("timeZone", n.zone().getId()).put("localTime", local(at.atZone(n.zone())))
          .put("ruleSet", Compliance.RULE_SET)
          .put("evidence", new JsonObject().put("debtorEvents", n.rates().debtorEvents())
              .put("portfolioEvents", p.events()).put("portfolioDebtors", p.debtors())
              .put("windowDays", BestTime.WINDOW_DAYS).put("priorWeeks", BestTime.PRIOR_WEEKS))
          .put("channels", channels));
    }).onFailure(ctx::fail);
  }

  private static Channel channel(RoutingContext ctx) {
    String raw = ctx.request().getParam("channel");
    Channel c = Channel.of(raw);
    if (c == null) {
      throw Problem.invalid("channel", raw == null || raw.isEmpty() ? "is required" : "must be email, phone or sms");
    }
    return c;
  }

  private Instant at(RoutingContext ctx) {
    String raw = ctx.request().getParam("at");
    return raw == null || raw.isEmpty() ? clock.instant() : Times.parse("at", raw).toInstant();
  }

  private static Key cursor(RoutingContext ctx) {
    JsonObject c = Paging.cursor(ctx);
    if (c == null) {
      return Key.START;
    }
    try {
      return new Key(new BigDecimal(c.getString("rank")), UUID.fromString(c.getString("id")));
    } catch (RuntimeException e) {
      throw Problem.invalid("cursor", "is not a cursor this API issued");
    }
  }

  /** A local date-time with its offset, to the second: {@code 2026-11-04T09:30:00-05:00}. */
  static String local(ZonedDateTime t) {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.truncatedTo(ChronoUnit.SECONDS));
  }
}
