package dev.beacon.tracking.pages;

import dev.beacon.http.Assets;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

import java.util.Map;

/** The pages' script and style sheet, read from {@code webroot/pages} once and served from memory. */
final class PageAssets {
  /** Assets change only with a release; an hour of caching spares repeat visits without pinning old files. */
  static final String CACHE = "public, max-age=3600";
  static final Buffer SCRIPT = Assets.load("/webroot/pages/beacon.js");
  static final Buffer STYLE = Assets.load("/webroot/pages/pages.css");

  private PageAssets() {}

  static void mount(Router router) {
    Assets.serve(router, PageHtml.SCRIPT, SCRIPT, "text/javascript; charset=utf-8", CACHE, Map.of());
    Assets.serve(router, PageHtml.STYLE, STYLE, "text/css; charset=utf-8", CACHE, Map.of());
  }
}
