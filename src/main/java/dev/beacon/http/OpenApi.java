package dev.beacon.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/** Serves the machine-readable contract, {@code src/main/resources/openapi.yaml}, at {@code GET /openapi.yaml}. */
public final class OpenApi {
  private static final Buffer SPEC = Assets.load("/openapi.yaml");

  private OpenApi() {}

  public static void mount(Router router) {
    router.get("/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=300")
        .end(SPEC));
  }
}
