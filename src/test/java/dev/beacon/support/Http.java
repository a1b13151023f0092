package dev.beacon.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;

import static dev.beacon.support.TestApp.await;

/** Terse, blocking HTTP calls for tests (the JUnit thread may block; event loops never do). */
public final class Http {
  private final TestApp app;

  public Http(TestApp app) {
    this.app = app;
  }

  public HttpRequest<Buffer> as(HttpRequest<Buffer> req, String key) {
    return key == null ? req : req.bearerTokenAuthentication(key);
  }

  public HttpResponse<Buffer> get(String path, String key) {
    return await(as(app.client.get(path), key).send());
  }

  public HttpResponse<Buffer> post(String path, String key, JsonObject body) {
    return await(as(app.client.post(path), key).sendJsonObject(body));
  }

  public HttpResponse<Buffer> put(String path, String key, JsonObject body) {
    return await(as(app.client.put(path), key).sendJsonObject(body));
  }

  public HttpResponse<Buffer> patch(String path, String key, JsonObject body) {
    return await(as(app.client.patch(path), key).sendJsonObject(body));
  }

  public HttpResponse<Buffer> postRaw(String path, String key, String contentType, Buffer body) {
    return await(as(app.client.post(path), key).putHeader("Content-Type", contentType).sendBuffer(body));
  }

  public HttpResponse<Buffer> patchRaw(String path, String key, String contentType, Buffer body) {
    return await(as(app.client.patch(path), key).putHeader("Content-Type", contentType).sendBuffer(body));
  }
}
