package dev.beacon.communications;

import dev.beacon.config.BeaconConfig;
import dev.beacon.http.Auth;
import dev.beacon.http.Bodies;
import dev.beacon.http.Paging;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import dev.beacon.http.Times;
import dev.beacon.sending.Sending;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The communications audit trail and the compliance gate (docs/compliance.md): record and list
 * contacts, ask the gate without recording, list follow-ups due.
 */
public final class CommunicationRoutes {
  private final Pool pool;
  private final BeaconConfig config;
  private final Clock clock = Clock.systemUTC();
  private final CommunicationRepository repo = new CommunicationRepository();
  private final CommunicationService service;

  private CommunicationRoutes(Vertx vertx, Pool pool, BeaconConfig config) {
    this.pool = pool;
    this.config = config;
    this.service = new CommunicationService(pool, repo, clock, new Sending(vertx, config));
  }

  public static void mount(Router router, Vertx vertx, Pool pool, BeaconConfig config) {
    CommunicationRoutes r = new CommunicationRoutes(vertx, pool, config);
    // A message to instrument may be up to 1 MiB a part (MessageParts); the part limits answer 413 beyond.
    router.post("/api/debtors/:id/communications")
        .handler(Bodies.limit(Math.max(config.http().bodyLimit(), MessageParts.BODY_LIMIT)))
        .handler(r::record);
    router.get("/api/debtors/:id/communications").handler(r::list);
    router.post("/api/debtors/:id/opt-outs").handler(Bodies.limit(config.http().bodyLimit()))
        .handler(r::optOut);
    router.get("/api/compliance/check").handler(r::check);
    router.get("/api/followups").handler(r::followups);
  }

  private void record(RoutingContext ctx) {
    UUID debtorId = Requests.uuid(ctx, "id");
    CommunicationInput in = CommunicationInput.fromJson(Bodies.object(ctx), clock.instant());
    service.record(debtorId, in, Requests.baseUrl(ctx, config))
        .onSuccess(outcome -> Requests.json(ctx, 201, answer(ctx, outcome)))
        .onFailure(ctx::fail);
  }

  private JsonObject answer(RoutingContext ctx, CommunicationService.Outcome outcome) {
    Communication c = outcome.communication();
    JsonObject body = c.toJson();
    if (c.type().equals(Channel.EMAIL.wire()) && c.direction().equals(CommunicationInput.OUTBOUND)) {
      String base = Requests.baseUrl(ctx, config);
      body.put("tracking", new JsonObject()
          .put("pixelUrl", base + "/t/o/" + outcome.debtorToken() + "/" + c.id() + ".gif")
          .put("linkBase", base + "/api/tracking-links"));
    }
    if (outcome.instrumented() != null) {
      body.put("instrumented", outcome.instrumented().toJson());
    }
    if (outcome.optedOut()) {
      body.put("optOut", new JsonObject().put("channel", Channel.SMS.wire()).put("source", "inbound_sms"));
    }
    return body;
  }

  /**
   * {@code POST /api/debtors/{id}/opt-outs {channel}}: the debtor told an agent to stop using a channel. 201 when
   * recorded, 200 when the channel was already opted out (its first opt-out is answered). The gate refuses the
   * channel from then on (rule {@code opt-out}).
   */
  private void optOut(RoutingContext ctx) {
    UUID debtorId = Requests.uuid(ctx, "id");
    Object raw = Bodies.object(ctx).getValue("channel");
    Channel channel = raw instanceof String s ? Channel.of(s) : null;
    if (channel == null) {
      throw Problem.invalid("channel", raw == null ? "is required" : "must be email, phone or sms");
    }
    repo.optOut(pool, debtorId, channel)
        .onSuccess(o -> Requests.json(ctx, o.created() ? 201 : 200, new JsonObject()
            .put("debtorId", debtorId.toString()).put("channel", channel.wire()).put("source", o.source())
            .put("createdAt", Times.format(o.at()))))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    UUID debtorId = Requests.uuid(ctx, "id");
    int limit = Paging.limit(ctx);
    Paging.TimeKey before = Paging.timeCursor(ctx, "at");
    // A viewer must not learn the debtor's token from a recorded message's links (docs/api.md "Authentication").
    repo.list(pool, debtorId, before.at(), before.id(), limit, !Auth.isAgent(ctx))
        .onSuccess(rows -> Requests.json(ctx, 200, Paging.page(rows.stream().map(Communication::toJson).toList(), limit,
            last -> new JsonObject().put("at", last.getString("at")).put("id", last.getString("id")))))
        .onFailure(ctx::fail);
  }

  private void check(RoutingContext ctx) {
    UUID debtorId = Requests.uuid(ctx, "debtorId");
    String rawType = ctx.request().getParam("type");
    Channel type = Channel.of(rawType);
    if (type == null) {
      throw Problem.invalid("type", rawType == null ? "is required" : "must be email, phone or sms");
    }
    String rawAt = ctx.request().getParam("at");
    Instant at = rawAt == null || rawAt.isEmpty() ? null : Times.parse("at", rawAt).toInstant();
    service.check(debtorId, type, at)
        .onSuccess(d -> Requests.json(ctx, 200, decision(d)))
        .onFailure(ctx::fail);
  }

  private static JsonObject decision(Decision d) {
    JsonObject j = new JsonObject().put("allowed", d.allowed()).put("ruleSet", Compliance.RULE_SET);
    if (!d.allowed()) {
      j.put("rule", d.rule()).put("detail", d.detail());
      if (d.nextAllowedAt() != null) {
        j.put("nextAllowedAt", Times.format(d.nextAllowedAt()));
      }
    }
    return j;
  }

  private void followups(RoutingContext ctx) {
    String rawDue = ctx.request().getParam("due");
    OffsetDateTime due = rawDue == null || rawDue.isEmpty() ? OffsetDateTime.now(clock) : Times.parse("due", rawDue);
    int limit = Paging.limit(ctx);
    Paging.TimeKey after = Paging.timeCursor(ctx, "followupDate");
    repo.followups(pool, due, after.at(), after.id(), limit)
        .onSuccess(rows -> Requests.json(ctx, 200, Paging.page(rows.stream().map(Communication::toJson).toList(), limit,
            last -> new JsonObject().put("followupDate", last.getString("followupDate")).put("id", last.getString("id")))))
        .onFailure(ctx::fail);
  }
}
