package dev.beacon.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * A failure that becomes an RFC 9457 problem+json answer. Handlers fail their context (or their Future) with
 * one of these; {@link Problems} writes it. Never carries a stack trace to the client.
 */
public class Problem extends RuntimeException {
  private final int status;
  private final String type;
  private final String title;
  private final List<FieldError> errors;
  private final JsonObject extensions;
  private final Map<CharSequence, String> headers;

  /** The longest detail a problem carries; client values inside it are escaped (see {@link Untrusted}). */
  static final int MAX_DETAIL = 1000;

  /** One invalid field and why; both may hold client text (an unknown column's name), so both are made safe. */
  public record FieldError(String field, String message) {
    public FieldError {
      field = Untrusted.of(field, 100);
      message = Untrusted.of(message);
    }

    public JsonObject toJson() {
      return new JsonObject().put("field", field).put("message", message);
    }
  }

  public Problem(int status, String type, String title, String detail, List<FieldError> errors,
                 JsonObject extensions, Map<CharSequence, String> headers) {
    super(detail == null ? null : Untrusted.of(detail, MAX_DETAIL), null, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
    this.errors = errors;
    this.extensions = extensions;
    this.headers = headers;
  }

  private static Problem of(int status, String type, String title, String detail) {
    return new Problem(status, type, title, detail, List.of(), new JsonObject(), Map.of());
  }

  public static Problem invalid(List<FieldError> errors) {
    String detail = errors.size() == 1
        ? errors.get(0).field() + ": " + errors.get(0).message()
        : errors.size() + " fields are invalid";
    return new Problem(400, "validation", "Invalid input", detail, List.copyOf(errors), new JsonObject(), Map.of());
  }

  public static Problem invalid(String field, String message) {
    return invalid(List.of(new FieldError(field, message)));
  }

  public static Problem malformed(String detail) {
    return of(400, "malformed", "Malformed request", detail);
  }

  public static Problem unauthorized() {
    return new Problem(401, "unauthorized", "Unauthorized", "A valid API key is required (Authorization: Bearer <key>)",
        List.of(), new JsonObject(), Map.of(Headers.WWW_AUTHENTICATE, "Bearer"));
  }

  /** A webhook whose signature, timestamp or credentials do not verify: 401, nothing stored. */
  public static Problem badSignature(String detail) {
    return of(401, "bad-signature", "Signature not verified", detail);
  }

  public static Problem forbidden(String detail) {
    return of(403, "forbidden", "Forbidden", detail);
  }

  public static Problem notFound(String detail) {
    return of(404, "not-found", "Not found", detail);
  }

  public static Problem methodNotAllowed() {
    return of(405, "method-not-allowed", "Method not allowed", "This resource does not support that method");
  }

  public static Problem conflict(String detail) {
    return of(409, "conflict", "Conflict", detail);
  }

  public static Problem tooLarge(String detail) {
    return of(413, "too-large", "Payload too large", detail);
  }

  public static Problem unsupportedMediaType(String expected) {
    return of(415, "unsupported-media-type", "Unsupported media type", "Content-Type must be " + expected);
  }

  /** A compliance refusal: 422 with the rule and, when known, when the contact becomes allowed. */
  public static Problem refused(String rule, String detail, String nextAllowedAt) {
    JsonObject ext = new JsonObject().put("rule", rule);
    if (nextAllowedAt != null) {
      ext.put("nextAllowedAt", nextAllowedAt);
    }
    return new Problem(422, "compliance-refused", "Refused by compliance rule " + rule, detail, List.of(), ext,
        Map.of());
  }

  /** A rate limit: 429 with {@code Retry-After}. */
  public static Problem tooManyRequests(int retryAfterSeconds) {
    return new Problem(429, "rate-limited", "Too many requests",
        "Too many requests for this link or key; retry after " + retryAfterSeconds + " s", List.of(),
        new JsonObject(), Map.of(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfterSeconds)));
  }

  public static Problem overloaded(int retryAfterSeconds) {
    return new Problem(503, "overloaded", "Service overloaded", "Too many requests in flight; retry shortly",
        List.of(), new JsonObject(), Map.of(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfterSeconds)));
  }

  public static Problem unavailable(String detail, int retryAfterSeconds) {
    return new Problem(503, "unavailable", "Service unavailable", detail, List.of(), new JsonObject(),
        Map.of(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfterSeconds)));
  }

  public static Problem badGateway(String detail) {
    return of(502, "upstream", "Upstream service failed", detail);
  }

  public int status() {
    return status;
  }

  public Map<CharSequence, String> headers() {
    return headers;
  }

  public List<FieldError> errors() {
    return errors;
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject()
        .put("type", "https://beacon.dev/problems/" + type)
        .put("title", title)
        .put("status", status)
        .put("detail", getMessage());
    if (!errors.isEmpty()) {
      JsonArray a = new JsonArray();
      errors.forEach(e -> a.add(e.toJson()));
      j.put("errors", a);
    }
    extensions.forEach(e -> j.put(e.getKey(), e.getValue()));
    return j;
  }
}
