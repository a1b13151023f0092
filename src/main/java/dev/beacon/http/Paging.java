package dev.beacon.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * List paging per docs/api.md "Conventions": {@code limit} (default 50, max 500) and an opaque {@code cursor};
 * answers {@code {items, nextCursor}}. A cursor is Base64url JSON of the last item's sort key.
 */
public final class Paging {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 500;

  private Paging() {}

  public static int limit(RoutingContext ctx) {
    String raw = ctx.request().getParam("limit");
    if (raw == null || raw.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(raw);
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // falls through to the error
    }
    throw Problem.invalid("limit", "must be an integer from 1 to " + MAX_LIMIT);
  }

  /** The decoded cursor, or null when absent; 400 naming {@code cursor} when it cannot be decoded. */
  public static JsonObject cursor(RoutingContext ctx) {
    String raw = ctx.request().getParam("cursor");
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw Problem.invalid("cursor", "is not a cursor this API issued");
    }
  }

  /**
   * The position a list ordered by a time, then id, resumes after: the last item's time (under the cursor key
   * the list names) and id. Both are null when the request has no cursor.
   */
  public record TimeKey(OffsetDateTime at, UUID id) {
    static final TimeKey START = new TimeKey(null, null);
  }

  /** The decoded time-and-id cursor ({@link TimeKey#START} when absent); 400 naming {@code cursor} otherwise. */
  public static TimeKey timeCursor(RoutingContext ctx, String timeKey) {
    JsonObject cursor = cursor(ctx);
    if (cursor == null) {
      return TimeKey.START;
    }
    try {
      return new TimeKey(OffsetDateTime.parse(cursor.getString(timeKey)), UUID.fromString(cursor.getString("id")));
    } catch (RuntimeException e) {
      throw Problem.invalid("cursor", "is not a cursor this API issued");
    }
  }

  public static String encode(JsonObject key) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(key.toBuffer().getBytes());
  }

  /** {@code {items, nextCursor}} from one extra row fetched beyond the limit. */
  public static JsonObject page(List<JsonObject> rows, int limit, Function<JsonObject, JsonObject> keyOf) {
    boolean more = rows.size() > limit;
    List<JsonObject> items = more ? rows.subList(0, limit) : rows;
    return new JsonObject()
        .put("items", new JsonArray(List.copyOf(items)))
        .put("nextCursor", more ? encode(keyOf.apply(items.get(items.size() - 1))) : null);
  }
}
