package dev.beacon.dashboard;

import dev.beacon.http.Headers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The web dashboard: a public HTML shell (no data in it; {@code no-store}, strict CSP, no inline script), its
 * script and style, and uPlot from its WebJar, all read from the jar once and served from memory. The page asks
 * for an API key and reads everything through {@code /api/dashboard/**} with it.
 */
final class DashboardPage {
  static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/";
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
      + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  static final String ASSET_CACHE = "public, max-age=3600";

  private DashboardPage() {}

  static void mount(Router router) {
    serve(router, "/dashboard", load("/webroot/dashboard/index.html"), "text/html; charset=utf-8", "no-store");
    serve(router, "/static/dashboard/app.js", load("/webroot/dashboard/app.js"), "text/javascript; charset=utf-8", ASSET_CACHE);
    serve(router, "/static/dashboard/app.css", load("/webroot/dashboard/app.css"), "text/css; charset=utf-8", ASSET_CACHE);
    serve(router, "/static/dashboard/vendor/uPlot.iife.min.js", load(UPLOT + "dist/uPlot.iife.min.js"),
        "text/javascript; charset=utf-8", ASSET_CACHE);
    serve(router, "/static/dashboard/vendor/uPlot.min.css", load(UPLOT + "dist/uPlot.min.css"), "text/css; charset=utf-8",
        ASSET_CACHE);
    serve(router, "/static/dashboard/vendor/uPlot.LICENSE", load(UPLOT + "LICENSE"), "text/plain; charset=utf-8", ASSET_CACHE);
  }

  private static void serve(Router router, String path, Buffer body, String type, String cache) {
    router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, type)
        .putHeader(HttpHeaders.CACHE_CONTROL, cache)
        .putHeader(Headers.CONTENT_SECURITY_POLICY, CSP)
        .putHeader(Headers.X_CONTENT_TYPE_OPTIONS, "nosniff")
        .putHeader(Headers.X_FRAME_OPTIONS, "DENY")
        .putHeader(Headers.REFERRER_POLICY, "no-referrer")
        .end(body.copy()));
  }

  private static Buffer load(String resource) {
    try (InputStream in = DashboardPage.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Missing resource " + resource);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
