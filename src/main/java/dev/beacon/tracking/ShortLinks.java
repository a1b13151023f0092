package dev.beacon.tracking;

import dev.beacon.http.Headers;
import dev.beacon.tracking.pages.PageResponses;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * {@code GET}/{@code HEAD /s/{code}}: an SMS short link. A known code records a click on its message, classified
 * like every click, and answers 302 to its target; an unknown or malformed code answers the debtor pages' one
 * 404 page, the same bytes for every code. A GET writes the click and nothing else.
 */
final class ShortLinks {
  /** Records one click through the tracking writer, as {@code /t/c} does. */
  interface Clicks {
    Future<Void> record(HttpServerRequest req, String token, UUID communicationId, String url);
  }

  private static final String LOOKUP = """
      SELECT d.unique_token, s.communication_id, s.target
      FROM short_links s JOIN debtors d ON d.id = s.debtor_id WHERE s.code = $1""";

  private final Pool pool;
  private final Clicks clicks;

  private ShortLinks(Pool pool, Clicks clicks) {
    this.pool = pool;
    this.clicks = clicks;
  }

  static void mount(Router router, Pool pool, Clicks clicks) {
    ShortLinks s = new ShortLinks(pool, clicks);
    router.route(ShortCodes.PATH + ":code").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(s::follow);
  }

  private void follow(RoutingContext ctx) {
    String code = ctx.pathParam("code");
    if (!ShortCodes.looksValid(code)) {
      PageResponses.notFound(ctx);
      return;
    }
    pool.preparedQuery(LOOKUP).execute(Tuple.of(code)).onFailure(ctx::fail).onSuccess(rows -> {
      if (rows.size() == 0) {
        PageResponses.notFound(ctx);
        return;
      }
      Row r = rows.iterator().next();
      String target = r.getString("target");
      // A shed or failed write still redirects: the person must reach the page.
      clicks.record(ctx.request(), r.getString("unique_token"), r.getUUID("communication_id"), target)
          .onComplete(ar -> ctx.response().setStatusCode(302)
              .putHeader(HttpHeaders.LOCATION, target)
              .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
              .putHeader(Headers.REFERRER_POLICY, "no-referrer")
              .end());
    });
  }
}
