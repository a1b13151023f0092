package dev.beacon.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Serves the machine-readable contract, {@code src/main/resources/openapi.yaml}, at {@code GET /openapi.yaml}. */
public final class OpenApi {
  private static final Buffer SPEC = load();

  private OpenApi() {}

  private static Buffer load() {
    try (InputStream in = OpenApi.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml missing from the classpath");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void mount(Router router) {
    router.get("/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=300")
        .end(SPEC));
  }
}
