package dev.beacon.scoring;

import dev.beacon.config.BeaconConfig;
import dev.beacon.db.PgErrors;
import dev.beacon.http.Bodies;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import dev.beacon.http.Times;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Scoring (docs/scoring.md): explain a score, score now, backtest, fit, choose the model version. */
public final class ScoringRoutes {
  static final int DEFAULT_HORIZON_DAYS = 30;

  private final ScoringRepository repo;
  private final ModelCatalog models;
  private final ScoringJob job;
  private final Backtest backtest;

  private ScoringRoutes(Vertx vertx, Pool pool, BeaconConfig config) {
    var scoring = config.scoring();
    this.repo = new ScoringRepository(pool);
    this.models = new ModelCatalog(repo, scoring.model());
    this.job = new ScoringJob(pool, scoring.model(), scoring.chunkSize());
    this.backtest = new Backtest(vertx, repo, new FeatureQuery(pool), scoring.chunkSize());
  }

  public static void mount(Router router, Vertx vertx, Pool pool, BeaconConfig config) {
    ScoringRoutes r = new ScoringRoutes(vertx, pool, config);
    router.get("/api/debtors/:id/score").handler(r::explain);
    router.post("/api/scoring/run").handler(r::run);
    router.get("/api/scoring/backtest").handler(r::backtest);
    router.post("/api/scoring/fit").handler(r::fit);
    router.get("/api/scoring/model").handler(r::model);
    router.put("/api/scoring/model").handler(Bodies.limit(config.http().bodyLimit())).handler(r::chooseModel);
  }

  private void explain(RoutingContext ctx) {
    UUID id = Requests.uuid(ctx, "id");
    repo.latestScore(id).onSuccess(row -> {
      if (row == null) {
        ctx.fail(Problem.notFound("There is no debtor " + id));
        return;
      }
      JsonObject body = new JsonObject();
      if (row.getValue("score") == null) { // never scored yet
        body.put("score", row.getInteger("current")).putNull("scoredAt").putNull("modelVersion")
            .put("factors", new JsonArray());
      } else {
        JsonArray factors = ScoringRepository.factorsOf(row);
        List<Object> sorted = new ArrayList<>(factors.getList());
        sorted.sort(Comparator.comparingDouble(f -> -Math.abs(contribution(f))));
        body.put("score", row.getInteger("score"))
            .put("scoredAt", Times.format(row.getOffsetDateTime("scored_at")))
            .put("modelVersion", row.getString("model_version"))
            .put("factors", new JsonArray(sorted));
        factors.stream().map(ScoringRoutes::asObject)
            .filter(f -> "status".equals(f.getString("name"))).findFirst()
            .ifPresent(f -> body.put("reason", "debtors in status " + f.getString("value") + " are not scored"));
      }
      Requests.json(ctx, 200, body);
    }).onFailure(ctx::fail);
  }

  private static JsonObject asObject(Object o) {
    return o instanceof JsonObject j ? j : new JsonObject((Map<String, Object>) o);
  }

  private static double contribution(Object f) {
    Number n = (Number) asObject(f).getValue("contribution");
    return n == null ? 0 : n.doubleValue();
  }

  private void run(RoutingContext ctx) {
    boolean full = "true".equals(ctx.request().getParam("full"));
    job.runOnce(full).onSuccess(run -> {
      if (!run.ran()) {
        ctx.fail(Problem.conflict("A scoring run is in progress; try again when it ends"));
        return;
      }
      Requests.json(ctx, 200, run.toJson().put("full", run.full()).put("changed", run.changed())
          .put("modelVersion", run.modelVersion()));
    }).onFailure(ctx::fail);
  }

  private void backtest(RoutingContext ctx) {
    int horizon = horizon(ctx);
    OffsetDateTime asOf = asOf(ctx, horizon);
    String version = ctx.request().getParam("version");
    Future<PropensityModel> model = version == null || version.isEmpty() ? models.active() : models.load(version);
    model.compose(m -> backtest.run(m, asOf, horizon).map(stats -> stats.toJson()
            .put("asOf", Times.format(asOf)).put("horizonDays", horizon).put("modelVersion", m.version())))
        .onSuccess(body -> Requests.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void fit(RoutingContext ctx) {
    int horizon = horizon(ctx);
    OffsetDateTime asOf = asOf(ctx, horizon);
    repo.nextVersion()
        .compose(version -> backtest.fit(version, asOf, horizon))
        .compose(fitted -> repo.insertModel(fitted.model(), asOf, horizon, fitted.debtors(), fitted.payers(),
                fitted.backtest())
            .map(x -> new JsonObject().put("version", fitted.model().version()).put("asOf", Times.format(asOf))
                .put("horizonDays", horizon).put("trainingDebtors", fitted.debtors())
                .put("trainingPayers", fitted.payers()).put("backtest", fitted.backtest())
                .put("model", fitted.model().toJson())))
        .recover(t -> Future.failedFuture(PgErrors.is(t, PgErrors.UNIQUE_VIOLATION)
            ? Problem.conflict("Another fit took the same version number at the same time; try again") : t))
        .onSuccess(body -> Requests.json(ctx, 201, body))
        .onFailure(ctx::fail);
  }

  private void model(RoutingContext ctx) {
    models.activeChoice()
        .map(a -> new JsonObject().put("version", a.model().version())
            .put("chosenBy", a.chosenByApi() ? "api" : "config").put("model", a.model().toJson()))
        .onSuccess(body -> Requests.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void chooseModel(RoutingContext ctx) {
    JsonObject in = Bodies.object(ctx);
    if (!(in.getValue("version") instanceof String version)) {
      throw Problem.invalid("version", "is required, e.g. \"v2\"");
    }
    models.load(version)
        .compose(m -> repo.setActiveModel(m.version()).map(m))
        .onSuccess(m -> Requests.json(ctx, 200, new JsonObject().put("version", m.version()).put("chosenBy", "api")))
        .onFailure(ctx::fail);
  }

  private static int horizon(RoutingContext ctx) {
    Integer h = Requests.intParam(ctx, "horizonDays", 1, 365);
    return h == null ? DEFAULT_HORIZON_DAYS : h;
  }

  /** {@code asOf} (default: one horizon ago); the whole horizon must lie in the past, or labels are unknown. */
  private static OffsetDateTime asOf(RoutingContext ctx, int horizonDays) {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    String raw = ctx.request().getParam("asOf");
    OffsetDateTime asOf = raw == null || raw.isEmpty() ? now.minusDays(horizonDays) : Times.parse("asOf", raw);
    if (asOf.plusDays(horizonDays).isAfter(now)) {
      throw Problem.invalid("asOf", "asOf plus horizonDays must lie in the past (outcomes are not known yet)");
    }
    return asOf;
  }
}
