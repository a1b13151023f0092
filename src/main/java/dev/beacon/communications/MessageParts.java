package dev.beacon.communications;

import dev.beacon.http.Problem;
import dev.beacon.http.Problem.FieldError;
import dev.beacon.sending.MergeFields;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The {@code html} and {@code text} parts of a message Beacon instruments (outbound email: either or both;
 * outbound SMS: text). A part beyond {@link #MAX_CHARS} is a 413; a merge field Beacon does not know is a 400
 * naming the part.
 */
public record MessageParts(String html, String text) {
  /** The largest part: 1 MiB of characters. */
  public static final int MAX_CHARS = 1 << 20;
  /** The longest SMS text, before its links are shortened (what SMS providers accept in one request). */
  public static final int SMS_MAX_CHARS = 1600;
  /** The request body limit of the routes that take a message (a 1 MiB part, JSON-escaped, with room). */
  public static final int BODY_LIMIT = 4 * MAX_CHARS;

  public static MessageParts read(JsonObject json, Channel type, boolean outbound, List<FieldError> errors) {
    String html = part(json, "html", errors);
    String text = part(json, "text", errors);
    if (html == null && text == null) {
      return new MessageParts(null, null);
    }
    if (!outbound) {
      errors.add(new FieldError(html != null ? "html" : "text", "applies to outbound email and SMS only"));
    } else if (type == Channel.PHONE) {
      errors.add(new FieldError(html != null ? "html" : "text", "applies to email and SMS only"));
    } else if (type == Channel.SMS && html != null) {
      errors.add(new FieldError("html", "applies to email only; an SMS is text"));
    }
    if (type == Channel.SMS && text != null && text.length() > SMS_MAX_CHARS) {
      errors.add(new FieldError("text", "must be at most " + SMS_MAX_CHARS + " characters for an SMS"));
    }
    if (json.getValue("content") != null) {
      errors.add(new FieldError("content", "must be absent when html or text is given (Beacon stores what it sends)"));
    }
    unknownMergeFields("subject", json.getValue("subject") instanceof String s ? s : null, errors);
    unknownMergeFields("html", html, errors);
    unknownMergeFields("text", text, errors);
    return new MessageParts(html, text);
  }

  private static String part(JsonObject json, String name, List<FieldError> errors) {
    Object v = json.getValue(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || s.isBlank()) {
      errors.add(new FieldError(name, "must be a non-blank string"));
      return null;
    }
    if (s.length() > MAX_CHARS) {
      throw Problem.tooLarge(name + " must be at most " + MAX_CHARS + " characters");
    }
    if (s.indexOf('\0') >= 0) {
      errors.add(new FieldError(name, "must not contain NUL characters"));
      return null;
    }
    return s;
  }

  private static void unknownMergeFields(String field, String template, List<FieldError> errors) {
    List<String> unknown = MergeFields.unknown(template);
    if (!unknown.isEmpty()) {
      errors.add(new FieldError(field, "names unknown merge field" + (unknown.size() > 1 ? "s " : " ")
          + String.join(", ", unknown.stream().map(n -> "{{" + n + "}}").toList()) + " (known: "
          + String.join(", ", MergeFields.NAMES) + ")"));
    }
  }
}
