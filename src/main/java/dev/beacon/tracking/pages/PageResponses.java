package dev.beacon.tracking.pages;

import dev.beacon.http.Headers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** How every debtor page answers: the security headers, HTML/JSON/text bodies and the one 404 page. */
public final class PageResponses {
  /** No third-party anything; script and style only from Beacon; beacons only to Beacon. */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
      + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
  /** The payment form posts to Beacon, which answers 303 to Stripe's hosted checkout: form-action covers it. */
  static final String STRIPE_CHECKOUT = "https://checkout.stripe.com";
  static final String PAYMENT_CSP = CSP.replace("form-action 'self'", "form-action 'self' " + STRIPE_CHECKOUT);
  static final String HTML = "text/html; charset=utf-8";
  private static final Buffer NOT_FOUND = Buffer.buffer(PageHtml.NOT_FOUND);

  private PageResponses() {}

  static void html(RoutingContext ctx, String csp, String page) {
    html(ctx, csp, page, 200);
  }

  static void html(RoutingContext ctx, String csp, String page, int status) {
    Buffer body = Buffer.buffer(page);
    headLength(ctx, body);
    secure(ctx.response(), csp).putHeader(HttpHeaders.CONTENT_TYPE, HTML).setStatusCode(status).end(body);
  }

  /** A HEAD answer carries the length the GET body would have (Vert.x sends none when there is no body). */
  private static void headLength(RoutingContext ctx, Buffer body) {
    if (ctx.request().method() == HttpMethod.HEAD) {
      ctx.response().putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
    }
  }

  /** The same status, headers and bytes for every unknown or malformed token. */
  public static void notFound(RoutingContext ctx) {
    headLength(ctx, NOT_FOUND);
    secure(ctx.response(), CSP).putHeader(HttpHeaders.CONTENT_TYPE, HTML).setStatusCode(404)
        .end(NOT_FOUND.copy());
  }

  static void json(RoutingContext ctx, JsonObject body) {
    secure(ctx.response(), CSP).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").setStatusCode(200)
        .end(body.toBuffer());
  }

  static void text(RoutingContext ctx, String body) {
    secure(ctx.response(), CSP).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setStatusCode(200).end(body);
  }

  static HttpServerResponse secure(HttpServerResponse r, String csp) {
    return r.putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(Headers.REFERRER_POLICY, "no-referrer")
        .putHeader(Headers.CONTENT_SECURITY_POLICY, csp)
        .putHeader(Headers.X_CONTENT_TYPE_OPTIONS, "nosniff")
        .putHeader(Headers.X_FRAME_OPTIONS, "DENY")
        .putHeader(Headers.X_ROBOTS_TAG, "noindex, nofollow");
  }
}
