package dev.beacon.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/** JSON request bodies: a size-limited body handler, the content-type check and parsing into an object. */
public final class Bodies {
  private Bodies() {}

  /** Reads a body of at most {@code limit} bytes (413 beyond); never writes uploads to disk. */
  public static Handler<RoutingContext> limit(int limit) {
    return BodyHandler.create(false).setBodyLimit(limit).setHandleFileUploads(false);
  }

  /** The body as a JSON object: 415 unless the content type is JSON, 400 unless it parses to an object. */
  public static JsonObject object(RoutingContext ctx) {
    if (!Requests.mediaType(ctx).equals(Requests.JSON)) {
      throw Problem.unsupportedMediaType(Requests.JSON);
    }
    var body = ctx.body();
    if (body == null || body.length() == 0) {
      throw Problem.malformed("A JSON object body is required");
    }
    JsonObject o = parseObject(body.buffer());
    if (o == null) {
      throw Problem.malformed("The body is not a valid JSON object");
    }
    return o;
  }

  /**
   * A JSON object from bytes, or null when they are not one; a 400 naming the field for a duplicate key, a number
   * out of range or a lone surrogate (see {@link StrictJson}).
   */
  public static JsonObject parseObject(Buffer bytes) {
    return StrictJson.object(bytes);
  }
}
