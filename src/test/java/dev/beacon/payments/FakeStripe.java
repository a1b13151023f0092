package dev.beacon.payments;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.beacon.support.TestApp.await;

/**
 * A local stand-in for Stripe's HTTP API: records every request stripe-java sends (path, form fields, headers)
 * and answers Stripe-shaped JSON. A path can be told to answer an error or to answer late.
 */
final class FakeStripe implements AutoCloseable {
  /** One recorded request. */
  record Request(String method, String path, MultiMap form, MultiMap headers) {
    String field(String name) {
      return form.get(name);
    }

    String idempotencyKey() {
      return headers.get("Idempotency-Key");
    }
  }

  /** A canned answer for a path. */
  record Answer(int status, JsonObject body, long delayMs) {}

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, List<Answer>> scripted = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  /** What GET /v1/payment_intents/{id} answers for the saved card. */
  volatile String savedCustomer = "cus_saved";
  volatile String savedPaymentMethod = "pm_saved";

  FakeStripe() {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false));
    router.route().handler(this::handle);
    server = await(vertx.createHttpServer().requestHandler(router).listen(0, "localhost"));
  }

  String apiBase() {
    return "http://localhost:" + server.actualPort();
  }

  List<Request> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  Request last(String path) {
    List<Request> r = requests(path);
    return r.isEmpty() ? null : r.get(r.size() - 1);
  }

  /** The next requests to {@code path} get these answers, in order; after them the defaults come back. */
  void script(String path, Answer... answers) {
    scripted.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).addAll(List.of(answers));
  }

  void reset() {
    requests.clear();
    scripted.clear();
  }

  static Answer error(int status, String type, String code, String message) {
    JsonObject error = new JsonObject().put("type", type).put("message", message);
    if (code != null) {
      error.put("code", code);
    }
    return new Answer(status, new JsonObject().put("error", error), 0);
  }

  static Answer declined() {
    return error(402, "card_error", "card_declined", "Your card was declined.");
  }

  static Answer slow(long delayMs) {
    return new Answer(-1, null, delayMs);
  }

  private void handle(RoutingContext ctx) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    if (ctx.request().method().name().equals("POST")) {
      form.addAll(ctx.request().formAttributes());
    }
    form.addAll(ctx.queryParams());
    String path = ctx.request().path();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(ctx.request().headers());
    requests.add(new Request(ctx.request().method().name(), path, form, headers));
    List<Answer> queue = scripted.get(path);
    Answer answer = queue == null || queue.isEmpty() ? null : queue.remove(0);
    if (answer != null && answer.delayMs() > 0) {
      vertx.setTimer(answer.delayMs(), t -> {
        if (!ctx.response().closed()) {
          respond(ctx, 200, defaultAnswer(path, form));
        }
      });
      return;
    }
    if (answer != null) {
      respond(ctx, answer.status(), answer.body());
      return;
    }
    respond(ctx, 200, defaultAnswer(path, form));
  }

  private JsonObject defaultAnswer(String path, MultiMap form) {
    int n = ids.incrementAndGet();
    if (path.equals("/v1/checkout/sessions")) {
      String id = "cs_test_" + n;
      return new JsonObject().put("id", id).put("object", "checkout.session").put("mode", "payment")
          .put("status", "open").put("payment_status", "unpaid")
          .put("url", "https://checkout.stripe.test/c/pay/" + id)
          .put("client_reference_id", form.get("client_reference_id"))
          .put("amount_total", Long.parseLong(form.get("line_items[0][price_data][unit_amount]")))
          .put("currency", form.get("line_items[0][price_data][currency]"))
          .put("metadata", new JsonObject().put("payment_id", form.get("metadata[payment_id]"))
              .put("debtor_id", form.get("metadata[debtor_id]")));
    }
    if (path.equals("/v1/payment_intents")) {
      return new JsonObject().put("id", "pi_test_" + n).put("object", "payment_intent").put("status", "succeeded")
          .put("amount", Long.parseLong(form.get("amount"))).put("currency", form.get("currency"))
          .put("customer", form.get("customer")).put("payment_method", form.get("payment_method"))
          .put("latest_charge", "ch_test_" + n)
          .put("metadata", new JsonObject().put("payment_id", form.get("metadata[payment_id]")));
    }
    if (path.startsWith("/v1/payment_intents/")) {
      return new JsonObject().put("id", path.substring(path.lastIndexOf('/') + 1)).put("object", "payment_intent")
          .put("status", "succeeded").put("customer", savedCustomer).put("payment_method", savedPaymentMethod);
    }
    return new JsonObject().put("error", new JsonObject().put("type", "invalid_request_error")
        .put("message", "Unrecognized request URL (" + path + ")"));
  }

  private static void respond(RoutingContext ctx, int status, JsonObject body) {
    int code = body.containsKey("error") && status == 200 ? 404 : status;
    ctx.response().setStatusCode(code).putHeader("Content-Type", "application/json")
        .putHeader("Request-Id", "req_test").end(body.encode());
  }

  List<Request> all() {
    return new ArrayList<>(requests);
  }

  @Override
  public void close() {
    await(server.close());
    await(vertx.close());
  }
}
