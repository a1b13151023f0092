package dev.beacon.payments;

import dev.beacon.config.BeaconConfig;
import dev.beacon.core.Tokens;
import dev.beacon.http.Bodies;
import dev.beacon.http.Paging;
import dev.beacon.http.Problem;
import dev.beacon.http.RateLimits;
import dev.beacon.http.Requests;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.UUID;

/** Payments (docs/payments.md): checkout, the Stripe webhook, the thank-you page, lists, import. */
public final class PaymentRoutes {
  static final String NOT_CONFIGURED = "payments are not configured";

  private final BeaconConfig config;
  private final PaymentRepository repo;
  private final Checkout checkout;
  private final StripeWebhook webhook;
  private final PaidPage paidPage;
  private final PaymentImport importer;
  private final RateLimits limits;

  private PaymentRoutes(Vertx vertx, Pool pool, BeaconConfig config, RateLimits limits) {
    this.config = config;
    this.repo = new PaymentRepository(pool);
    var payments = config.payments();
    Ledger ledger = new Ledger(payments.planRetrySchedule());
    this.checkout = payments.configured() ? new Checkout(repo, new StripeGateway(vertx, payments)) : null;
    this.webhook = payments.configured() ? new StripeWebhook(pool, ledger, payments.stripeWebhookSecret()) : null;
    this.paidPage = new PaidPage(repo);
    this.limits = limits;
    this.importer = new PaymentImport(pool, config.http().importLimitBytes());
  }

  public static void mount(Router router, Vertx vertx, Pool pool, BeaconConfig config, RateLimits limits) {
    PaymentRoutes r = new PaymentRoutes(vertx, pool, config, limits);
    int limit = config.http().bodyLimit();
    router.post("/p/:token/checkout").handler(Bodies.limit(limit)).handler(r::publicCheckout);
    router.get("/p/:token/paid").handler(r.paidPage::handle);
    router.post("/webhooks/stripe").handler(Bodies.limit(StripeWebhook.BODY_LIMIT)).handler(r::webhook);
    router.post("/api/debtors/:id/payments/checkout").handler(Bodies.limit(limit)).handler(r::agentCheckout);
    router.get("/api/debtors/:id/payments").handler(r::list);
    router.post("/api/payments/import").handler(r.importer::handle);
  }

  /**
   * The payment page's form (or a JSON client). A refused form gets a page, not problem+json: the person is on
   * a phone, not an API client.
   */
  private void publicCheckout(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    if (!Tokens.looksValid(token)) {
      PaidPage.notFound(ctx);
      return;
    }
    boolean form = isForm(ctx);
    if (checkout == null) {
      // The contract promises the same 404 page for every unknown token, configured or not.
      repo.tokenExists(token).onSuccess(known -> refused(ctx, token, form, known
          ? Problem.unavailable(NOT_CONFIGURED, 3600) : Problem.notFound("No such page"))).onFailure(ctx::fail);
      return;
    }
    try {
      // Each checkout costs a Stripe API call: a leaked link must not burn the agency's Stripe rate limit.
      limits.token(token);
      CheckoutInput in = input(ctx);
      checkout.start(token, null, in, Requests.baseUrl(ctx, config))
          .onSuccess(s -> ctx.response().setStatusCode(303)
              .putHeader(HttpHeaders.LOCATION, s.checkoutUrl())
              .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
              .end())
          .onFailure(t -> refused(ctx, token, form, t));
    } catch (Problem p) {
      refused(ctx, token, form, p);
    }
  }

  private static void refused(RoutingContext ctx, String token, boolean form, Throwable t) {
    if (t instanceof Problem p && p.status() == 404) {
      PaidPage.notFound(ctx);
    } else if (form && t instanceof Problem p) {
      PaidPage.refused(ctx, token, p);
    } else {
      ctx.fail(t);
    }
  }

  private static boolean isForm(RoutingContext ctx) {
    return Requests.mediaType(ctx).equals(Requests.FORM);
  }

  private void agentCheckout(RoutingContext ctx) {
    if (checkout == null) {
      throw Problem.unavailable(NOT_CONFIGURED, 3600);
    }
    UUID id = Requests.uuid(ctx, "id");
    CheckoutInput in = CheckoutInput.fromJson(Bodies.object(ctx), config.payments());
    checkout.start(null, id, in, Requests.baseUrl(ctx, config))
        .onSuccess(s -> Requests.json(ctx, 201, new JsonObject()
            .put("paymentId", s.paymentId().toString())
            .put("checkoutUrl", s.checkoutUrl())))
        .onFailure(ctx::fail);
  }

  /** The payment page posts a form; API clients may post JSON. */
  private CheckoutInput input(RoutingContext ctx) {
    if (isForm(ctx)) {
      return CheckoutInput.fromForm(ctx.request().formAttributes(), config.payments());
    }
    if (Requests.mediaType(ctx).equals(Requests.JSON)) {
      return CheckoutInput.fromJson(Bodies.object(ctx), config.payments());
    }
    throw Problem.unsupportedMediaType("application/x-www-form-urlencoded or application/json");
  }

  private void webhook(RoutingContext ctx) {
    if (webhook == null) {
      throw Problem.unavailable(NOT_CONFIGURED, 3600);
    }
    webhook.handle(ctx);
  }

  private void list(RoutingContext ctx) {
    UUID id = Requests.uuid(ctx, "id");
    int limit = Paging.limit(ctx);
    Paging.TimeKey before = Paging.timeCursor(ctx, "at");
    repo.list(id, before.at(), before.id(), limit)
        .onSuccess(rows -> Requests.json(ctx, 200, Paging.page(rows, limit,
            last -> new JsonObject().put("at", last.getString("createdAt")).put("id", last.getString("id")))))
        .onFailure(ctx::fail);
  }

}
