package dev.beacon.delivery;

import dev.beacon.config.BeaconConfig;
import dev.beacon.db.PgErrors;
import dev.beacon.http.Bodies;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import dev.beacon.metrics.Meters;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code POST /webhooks/<provider>}: delivery events from the services that send Beacon's email and text
 * messages (docs/provider-events.md). Each route verifies its provider's scheme on the raw body, then applies
 * each event once; the 2xx leaves after every event of the request is committed. A provider without its secret
 * configured answers 503 "not configured". Senders record a message's provider id with
 * {@code PUT /api/communications/{id}/provider-message} ({@link ProviderMessages}).
 */
public final class DeliveryRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryRoutes.class);
  /** A batch larger than this is refused with 413 (SendGrid posts at most a few hundred kilobytes). */
  static final int BODY_LIMIT = 4 * 1024 * 1024;
  static final String TWIML_EMPTY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

  private final BeaconConfig config;
  private final Clock clock = Clock.systemUTC();
  private final DeliveryLedger ledger;
  private final SendGridEvents sendgrid;
  private final MailgunEvents mailgun;
  private final PostmarkEvents postmark;
  private final TwilioEvents twilio;
  private final SnsMessages sns;
  private final InboundSms inbound;
  private final ProviderMessages messages;

  private DeliveryRoutes(Vertx vertx, Pool pool, BeaconConfig config) {
    this.config = config;
    BeaconConfig.Delivery d = config.delivery();
    this.ledger = new DeliveryLedger(pool, d.softBounceLimit());
    this.sendgrid = d.sendgridPublicKey().isEmpty() ? null : new SendGridEvents(d.sendgridPublicKey());
    this.mailgun = d.mailgunSigningKey().isEmpty() ? null : new MailgunEvents(d.mailgunSigningKey());
    this.postmark = d.postmarkUser().isEmpty() || d.postmarkPassword().isEmpty() ? null
        : new PostmarkEvents(d.postmarkUser(), d.postmarkPassword());
    this.twilio = d.twilioAuthToken().isEmpty() ? null : new TwilioEvents(d.twilioAuthToken());
    this.sns = d.sesTopicArns().isEmpty() ? null : new SnsMessages(vertx.createHttpClient(), d.sesTopicArns(), d.snsCertBase());
    this.inbound = new InboundSms(pool, ledger, clock);
    this.messages = new ProviderMessages(pool, ledger);
  }

  public static void mount(Router router, Vertx vertx, Pool pool, BeaconConfig config) {
    DeliveryRoutes r = new DeliveryRoutes(vertx, pool, config);
    router.post("/webhooks/sendgrid").handler(Bodies.limit(BODY_LIMIT)).handler(r::sendgrid);
    router.post("/webhooks/mailgun").handler(Bodies.limit(BODY_LIMIT)).handler(r::mailgun);
    router.post("/webhooks/postmark").handler(Bodies.limit(BODY_LIMIT)).handler(r::postmark);
    router.post("/webhooks/ses").handler(Bodies.limit(BODY_LIMIT)).handler(r::ses);
    router.post("/webhooks/twilio/status").handler(Bodies.limit(BODY_LIMIT)).handler(r::twilioStatus);
    router.post("/webhooks/twilio/inbound").handler(Bodies.limit(BODY_LIMIT)).handler(r::twilioInbound);
    // Under /api/*: an agent's key (Auth.api), like the other API writes.
    router.put("/api/communications/:id/provider-message").handler(Bodies.limit(config.http().bodyLimit()))
        .handler(r.messages::handle);
  }

  private void sendgrid(RoutingContext ctx) {
    run(ctx, Provider.SENDGRID, sendgrid, () -> Future.succeededFuture(sendgrid.verify(
        ctx.request().getHeader(SendGridEvents.SIGNATURE), ctx.request().getHeader(SendGridEvents.TIMESTAMP),
        ctx.body().asString(), clock.instant())));
  }

  private void mailgun(RoutingContext ctx) {
    handle(ctx, Provider.MAILGUN, mailgun, () -> {
      MailgunEvents.Verified v = mailgun.verify(json(ctx), clock.instant());
      if (v.parsed().events().isEmpty()) {
        return Future.succeededFuture(new Tally(v.parsed()));
      }
      // The signature covers only the token: the token is spent in the event's own transaction.
      DeliveryEvent e = v.parsed().events().get(0);
      return ledger.applyOnce(e, v.token()).map(outcome -> new Tally(v.parsed()).add(outcome));
    });
  }

  private void postmark(RoutingContext ctx) {
    run(ctx, Provider.POSTMARK, postmark, () -> {
      postmark.authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
      return Future.succeededFuture(PostmarkEvents.parse(json(ctx)));
    });
  }

  private void ses(RoutingContext ctx) {
    run(ctx, Provider.SES, sns, () -> {
      JsonObject m = json(ctx);
      return sns.verify(m).compose(ok -> switch (m.getString("Type")) {
        case "SubscriptionConfirmation" -> sns.confirm(m).map(v -> {
          LOG.info("SNS subscription to {} confirmed", m.getString("TopicArn"));
          return new Parsed(List.of(), 1, 0);
        });
        case "Notification" -> Future.succeededFuture(SesEvents.parse(m.getString("MessageId"), m.getString("Message")));
        default -> Future.succeededFuture(Parsed.ignoredOne());
      });
    });
  }

  private void twilioStatus(RoutingContext ctx) {
    run(ctx, Provider.TWILIO, twilio, () -> {
      twilio.verify(Requests.baseUrl(ctx, config) + ctx.request().uri(), ctx.request().formAttributes(),
          ctx.request().getHeader(TwilioEvents.SIGNATURE));
      return Future.succeededFuture(TwilioEvents.status(ctx.request().formAttributes(),
          ctx.request().getParam("communicationId"), clock.instant()));
    });
  }

  private void twilioInbound(RoutingContext ctx) {
    if (twilio == null) {
      notConfigured(ctx, Provider.TWILIO);
      return;
    }
    Future<String> done;
    try {
      twilio.verify(Requests.baseUrl(ctx, config) + ctx.request().uri(), ctx.request().formAttributes(),
          ctx.request().getHeader(TwilioEvents.SIGNATURE));
      done = inbound.record(ctx.request().formAttributes());
    } catch (Problem p) {
      done = Future.failedFuture(p);
    }
    done.onSuccess(outcome -> {
      count(Provider.TWILIO, "inbound_" + outcome);
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/xml").end(TWIML_EMPTY);
    }).onFailure(t -> fail(ctx, Provider.TWILIO, t));
  }

  /** Verifies, then applies every event the body holds. */
  private void run(RoutingContext ctx, Provider p, Object verifier, Supplier<Future<Parsed>> verified) {
    handle(ctx, p, verifier, () -> verified.get().compose(this::applyAll));
  }

  private void handle(RoutingContext ctx, Provider p, Object verifier, Supplier<Future<Tally>> work) {
    if (verifier == null) {
      notConfigured(ctx, p);
      return;
    }
    if (ctx.body() == null || ctx.body().buffer() == null) {
      fail(ctx, p, Problem.malformed("A body is required"));
      return;
    }
    Future<Tally> done;
    try {
      done = work.get();
    } catch (Problem | IllegalArgumentException e) {
      done = Future.failedFuture(e instanceof Problem ? e : Problem.malformed(e.getMessage()));
    }
    done.onSuccess(t -> {
      t.counts.forEach((outcome, n) -> counter(p, outcome).increment(n));
      LOG.debug("{} webhook: {}", p.wire(), t.counts);
      JsonObject body = new JsonObject().put("received", true);
      t.counts.forEach(body::put);
      Requests.json(ctx, 200, body);
    }).onFailure(t -> fail(ctx, p, t));
  }

  private void notConfigured(RoutingContext ctx, Provider p) {
    count(p, "not_configured");
    ctx.fail(Problem.unavailable("The " + p.wire() + " webhook is not configured on this Beacon", 3600));
  }

  private static void fail(RoutingContext ctx, Provider p, Throwable t) {
    String outcome = t instanceof Problem problem
        ? switch (problem.status()) {
          case 401 -> "bad_signature";
          case 413 -> "too_large";
          case 503 -> "unavailable";
          default -> "malformed";
        }
        : "failed";
    count(p, outcome);
    ctx.fail(t);
  }

  private static JsonObject json(RoutingContext ctx) {
    JsonObject o = Bodies.parseObject(ctx.body().buffer());
    if (o == null) {
      throw Problem.malformed("The body is not a JSON object");
    }
    return o;
  }

  /** Applies the events one by one, each in its own transaction: one unusable event never drops the others. */
  private Future<Tally> applyAll(Parsed parsed) {
    Tally tally = new Tally(parsed);
    Future<Tally> chain = Future.succeededFuture(tally);
    for (DeliveryEvent e : parsed.events()) {
      chain = chain.compose(t -> ledger.apply(e).map(t::add).recover(err -> {
        if (err instanceof PgException pg && pg.getSqlState() != null
            && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23"))
            && !PgErrors.is(err, PgErrors.DEADLOCK)) {
          LOG.debug("{} event {} not storable: {}", e.provider().wire(), e.eventId(), pg.getSqlState());
          return Future.succeededFuture(t.add("invalid"));
        }
        return Future.failedFuture(err);
      }));
    }
    return chain;
  }

  /** Outcomes of one request: applied, duplicate, unmatched, ignored, invalid. */
  static final class Tally {
    final Map<String, Integer> counts = new LinkedHashMap<>();

    Tally(Parsed p) {
      for (String k : new String[] {DeliveryLedger.APPLIED, DeliveryLedger.DUPLICATE, DeliveryLedger.UNMATCHED,
          "ignored", "invalid"}) {
        counts.put(k, 0);
      }
      counts.put("ignored", p.ignored());
      counts.put("invalid", p.invalid());
    }

    Tally add(String outcome) {
      counts.merge(outcome, 1, Integer::sum);
      return this;
    }
  }

  /**
   * {@code beacon_delivery_webhook_events_total{provider, outcome}}: per event applied, duplicate, unmatched,
   * ignored (a type Beacon does not use), invalid; per request bad_signature, malformed, too_large,
   * not_configured, unavailable, failed; inbound_* for incoming text messages.
   */
  private static Counter counter(Provider p, String outcome) {
    return Counter.builder("beacon_delivery_webhook_events").tag("provider", p.wire()).tag("outcome", outcome)
        .description("Provider delivery webhook events and requests by outcome").register(Meters.registry());
  }

  private static void count(Provider p, String outcome) {
    counter(p, outcome).increment();
  }
}
