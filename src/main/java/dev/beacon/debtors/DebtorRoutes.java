package dev.beacon.debtors;

import dev.beacon.config.BeaconConfig;
import dev.beacon.core.DebtorStatus;
import dev.beacon.core.Tokens;
import dev.beacon.http.Auth;
import dev.beacon.http.Bodies;
import dev.beacon.http.Paging;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import dev.beacon.http.Times;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** {@code /api/debtors}: create, read, change, list, import, timeline (docs/api.md "Debtors"). */
public final class DebtorRoutes {
  private final BeaconConfig config;
  private final DebtorRepository repo;
  private final DebtorImport importer;

  private DebtorRoutes(Pool pool, BeaconConfig config) {
    this.config = config;
    this.repo = new DebtorRepository(pool);
    this.importer = new DebtorImport(pool, config.http().importLimitBytes());
  }

  public static void mount(Router router, Pool pool, BeaconConfig config) {
    DebtorRoutes r = new DebtorRoutes(pool, config);
    int limit = config.http().bodyLimit();
    router.post("/api/debtors/import").handler(r.importer::handle);
    router.post("/api/debtors").handler(Bodies.limit(limit)).handler(r::create);
    router.get("/api/debtors").handler(r::list);
    router.get("/api/debtors/:id").handler(r::get);
    router.patch("/api/debtors/:id").handler(Bodies.limit(limit)).handler(r::patch);
    router.get("/api/debtors/:id/timeline").handler(r::timeline);
  }

  private void create(RoutingContext ctx) {
    DebtorInput in = DebtorInput.fromJson(Bodies.object(ctx), DebtorInput.Mode.CREATE).requirePaidWithinOwed();
    repo.create(in, Tokens.newToken())
        .onSuccess(d -> {
          String base = Requests.baseUrl(ctx, config);
          ctx.response().putHeader(HttpHeaders.LOCATION, "/api/debtors/" + d.id());
          Requests.json(ctx, 201, d.toJson(base));
        })
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    UUID id = Requests.uuid(ctx, "id");
    repo.get(id)
        .onSuccess(d -> Requests.json(ctx, 200, forReader(ctx, d.toJson(Requests.baseUrl(ctx, config)))))
        .onFailure(ctx::fail);
  }

  /**
   * A viewer reads a debtor without its token and the links built from it (and its timeline with the token
   * masked): whoever holds a token acts for the debtor on the public pages (opt-out, checkout, page views that
   * feed the score), which a read-only key must not be able to do.
   */
  private static JsonObject forReader(RoutingContext ctx, JsonObject debtor) {
    if (!Auth.isAgent(ctx)) {
      debtor.remove("uniqueToken");
      debtor.remove("links");
    }
    return debtor;
  }

  private void patch(RoutingContext ctx) {
    UUID id = Requests.uuid(ctx, "id");
    DebtorInput in = DebtorInput.fromJson(Bodies.object(ctx), DebtorInput.Mode.PATCH);
    repo.patch(id, in)
        .onSuccess(d -> Requests.json(ctx, 200, d.toJson(Requests.baseUrl(ctx, config))))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    String status = ctx.request().getParam("status");
    if (status != null && !DebtorStatus.ALL.contains(status)) {
      throw Problem.invalid("status", "must be one of " + String.join(", ", DebtorStatus.ALL));
    }
    String sort = ctx.request().getParam("sort", "updated").toLowerCase(Locale.ROOT);
    if (!List.of("score", "updated").contains(sort)) {
      throw Problem.invalid("sort", "must be score or updated");
    }
    String q = ctx.request().getParam("q");
    if (q != null && (q.isBlank() || q.length() > 100)) {
      throw Problem.invalid("q", "must be 1 to 100 characters");
    }
    boolean byScore = sort.equals("score");
    int limit = Paging.limit(ctx);
    var query = new DebtorRepository.ListQuery(status, q == null ? null : q.trim(),
        Requests.intParam(ctx, "minScore", 0, 100), Requests.intParam(ctx, "maxScore", 0, 100), byScore,
        Paging.cursor(ctx), limit);
    String base = Requests.baseUrl(ctx, config);
    repo.list(query)
        .onSuccess(rows -> Requests.json(ctx, 200, Paging.page(rows.stream().map(d -> forReader(ctx, d.toJson(base))).toList(), limit,
            last -> byScore
                ? new JsonObject().put("score", last.getInteger("paymentPropensityScore")).put("id", last.getString("id"))
                : new JsonObject().put("updated", last.getString("updatedAt")).put("id", last.getString("id")))))
        .onFailure(ctx::fail);
  }

  private void timeline(RoutingContext ctx) {
    UUID id = Requests.uuid(ctx, "id");
    int limit = Paging.limit(ctx);
    Paging.TimeKey before = Paging.timeCursor(ctx, "at");
    repo.timeline(id, before.at(), before.id(), limit, !Auth.isAgent(ctx))
        .onSuccess(rows -> Requests.json(ctx, 200, Paging.page(rows, limit,
            last -> new JsonObject().put("at", last.getString("at")).put("id", last.getString("id")))))
        .onFailure(ctx::fail);
  }
}
