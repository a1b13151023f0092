package dev.beacon.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** Files of the jar (pages' and dashboard's scripts and styles, the contract) read once and served from memory. */
public final class Assets {
  private Assets() {}

  /** The classpath resource {@code path} (absolute: {@code /webroot/...}); fails at start when it is missing. */
  public static Buffer load(String path) {
    try (InputStream in = Assets.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("Missing resource " + path);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Serves {@code body} at {@code path} to GET and HEAD, with its content type, {@code cache} as Cache-Control,
   * {@code nosniff} and the {@code extra} headers.
   */
  public static void serve(Router router, String path, Buffer body, String type, String cache,
                           Map<CharSequence, String> extra) {
    router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> {
      HttpServerResponse response = ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, type)
          .putHeader(HttpHeaders.CACHE_CONTROL, cache)
          .putHeader(Headers.X_CONTENT_TYPE_OPTIONS, "nosniff");
      extra.forEach(response::putHeader);
      response.end(body.copy());
    });
  }
}
