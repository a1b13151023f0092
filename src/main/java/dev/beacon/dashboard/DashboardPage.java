package dev.beacon.dashboard;

import dev.beacon.http.Assets;
import dev.beacon.http.Headers;
import io.vertx.ext.web.Router;

import java.util.Map;

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

  private static final Map<CharSequence, String> HEADERS = Map.of(Headers.CONTENT_SECURITY_POLICY, CSP,
      Headers.X_FRAME_OPTIONS, "DENY", Headers.REFERRER_POLICY, "no-referrer");

  private DashboardPage() {}

  static void mount(Router router) {
    serve(router, "/dashboard", "/webroot/dashboard/index.html", "text/html; charset=utf-8", "no-store");
    serve(router, "/static/dashboard/app.js", "/webroot/dashboard/app.js", "text/javascript; charset=utf-8", ASSET_CACHE);
    serve(router, "/static/dashboard/app.css", "/webroot/dashboard/app.css", "text/css; charset=utf-8", ASSET_CACHE);
    serve(router, "/static/dashboard/vendor/uPlot.iife.min.js", UPLOT + "dist/uPlot.iife.min.js",
        "text/javascript; charset=utf-8", ASSET_CACHE);
    serve(router, "/static/dashboard/vendor/uPlot.min.css", UPLOT + "dist/uPlot.min.css", "text/css; charset=utf-8",
        ASSET_CACHE);
    serve(router, "/static/dashboard/vendor/uPlot.LICENSE", UPLOT + "LICENSE", "text/plain; charset=utf-8", ASSET_CACHE);
  }

  private static void serve(Router router, String path, String resource, String type, String cache) {
    Assets.serve(router, path, Assets.load(resource), type, cache, HEADERS);
  }
}
