package dev.beacon.dashboard;

import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import dev.beacon.http.Times;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The polled dashboard endpoints ({@code /api/dashboard/**}, viewers and agents) and the web dashboard
 * ({@code /dashboard}). Each JSON answer carries a weak ETag made of the data version, the endpoint and its
 * normalised parameters; a matching {@code If-None-Match} gets 304 from memory.
 */
public final class DashboardRoutes {
  /** Refresh periods (seconds): events roll up every few seconds, the portfolio every half minute. */
  static final int EVENTS_MAX_AGE = 10;
  static final int PORTFOLIO_MAX_AGE = 30;
  static final Duration HOURLY_MAX_SPAN = Duration.ofDays(31);
  static final int TOP_DEFAULT = 10;
  static final int TOP_MAX = 100;

  /** Answers kept per verticle instance, keyed by endpoint and parameters, each valid for one data version. */
  static final int CACHED_ANSWERS = 256;
  /** The benchmark turns this off to measure the computed path. */
  static volatile boolean cacheAnswers = true;

  private record Answer(long version, Buffer body) {}

  private final DashboardRepository repo;
  private final DataVersion version;
  private final Map<String, Answer> answers = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
      return size() > CACHED_ANSWERS;
    }
  };

  private DashboardRoutes(DashboardRepository repo, DataVersion version) {
    this.repo = repo;
    this.version = version;
  }

  /** {@code readPool}: a replica's pool when one is configured, else {@code pool} itself. */
  public static void mount(Router router, Vertx vertx, Pool pool, Pool readPool) {
    var version = new DataVersion(vertx, readPool, readPool == pool);
    var routes = new DashboardRoutes(new DashboardRepository(readPool), version);
    router.get("/api/dashboard/summary").handler(routes::summary);
    router.get("/api/dashboard/funnel").handler(routes::funnel);
    router.get("/api/dashboard/activity").handler(routes::activity);
    router.get("/api/dashboard/scores").handler(routes::scores);
    router.get("/api/dashboard/top-debtors").handler(routes::top);
    DashboardPage.mount(router);
  }

  private void summary(RoutingContext ctx) {
    Range range = range(ctx, Range.MAX_SPAN);
    answer(ctx, "summary", range.key(), EVENTS_MAX_AGE,
        () -> repo.summary(range).map(s -> DashboardViews.summary(range, s)));
  }

  private void funnel(RoutingContext ctx) {
    Range range = range(ctx, Range.MAX_SPAN);
    answer(ctx, "funnel", range.key(), EVENTS_MAX_AGE,
        () -> repo.funnel(range).map(stages -> DashboardViews.funnel(range, stages)));
  }

  private void activity(RoutingContext ctx) {
    String bucket = ctx.request().getParam("bucket", "day");
    if (!bucket.equals("hour") && !bucket.equals("day")) {
      throw Problem.invalid("bucket", "must be hour or day");
    }
    Range range = range(ctx, bucket.equals("hour") ? HOURLY_MAX_SPAN : Range.MAX_SPAN);
    answer(ctx, "activity", range.key() + ":" + bucket, EVENTS_MAX_AGE,
        () -> repo.activity(range, bucket).map(points -> DashboardViews.activity(range, bucket, points)));
  }

  private void scores(RoutingContext ctx) {
    answer(ctx, "scores", "", PORTFOLIO_MAX_AGE, () -> repo.portfolio().map(DashboardViews::scores));
  }

  private void top(RoutingContext ctx) {
    Integer raw = Requests.intParam(ctx, "limit", 1, TOP_MAX);
    int limit = raw == null ? TOP_DEFAULT : raw;
    answer(ctx, "top", String.valueOf(limit), PORTFOLIO_MAX_AGE, () -> repo.top(limit).map(DashboardViews::top));
  }

  private static Range range(RoutingContext ctx, Duration maxSpan) {
    return Range.parse(ctx.request().getParam("from"), ctx.request().getParam("to"),
        OffsetDateTime.now(ZoneOffset.UTC), maxSpan);
  }

  /*
   * The data version names the state of the rollups: a matching If-None-Match is a 304, and a body computed for
   * this version is reused by every other poller of the same view until the version moves (its generatedAt
   * says when it was computed).
   */
  private void answer(RoutingContext ctx, String endpoint, String key, int maxAge, Supplier<Future<JsonObject>> body) {
    version.current().compose(v -> {
      String etag = "W/\"" + v + "-" + endpoint + "-" + Integer.toHexString(key.hashCode()) + "\"";
      if (ETags.matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
        return cacheHeaders(ctx, etag, maxAge).setStatusCode(304).end();
      }
      String cacheKey = endpoint + "?" + key;
      Answer kept = cacheAnswers ? answers.get(cacheKey) : null;
      Future<Buffer> json = kept != null && kept.version() == v ? Future.succeededFuture(kept.body())
          : body.get().map(j -> {
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
            Buffer b = j.put("generatedAt", Times.format(now)).put("dataVersion", v).toBuffer();
            answers.put(cacheKey, new Answer(v, b));
            return b;
          });
      return json.compose(b -> cacheHeaders(ctx, etag, maxAge)
          .putHeader(HttpHeaders.CONTENT_TYPE, Requests.JSON)
          .end(b.copy()));
    }).onFailure(ctx::fail);
  }

  private static HttpServerResponse cacheHeaders(RoutingContext ctx, String etag, int maxAge) {
    return ctx.response().putHeader(HttpHeaders.ETAG, etag)
        .putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=" + maxAge)
        .putHeader(HttpHeaders.VARY, HttpHeaders.AUTHORIZATION);
  }
}
