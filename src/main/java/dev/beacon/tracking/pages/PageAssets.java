package dev.beacon.tracking.pages;

import dev.beacon.http.Headers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The pages' script and style sheet, read from {@code webroot/pages} once and served from memory. */
final class PageAssets {
  /** Assets change only with a release; an hour of caching spares repeat visits without pinning old files. */
  static final String CACHE = "public, max-age=3600";
  static final Buffer SCRIPT = load("/webroot/pages/beacon.js");
  static final Buffer STYLE = load("/webroot/pages/pages.css");

  private PageAssets() {}

  static void mount(Router router) {
    serve(router, PageHtml.SCRIPT, SCRIPT, "text/javascript; charset=utf-8");
    serve(router, PageHtml.STYLE, STYLE, "text/css; charset=utf-8");
  }

  private static void serve(Router router, String path, Buffer body, String type) {
    router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, type)
        .putHeader(HttpHeaders.CACHE_CONTROL, CACHE)
        .putHeader(Headers.X_CONTENT_TYPE_OPTIONS, "nosniff")
        .end(body.copy()));
  }

  private static Buffer load(String resource) {
    try (InputStream in = PageAssets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Missing resource " + resource);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
