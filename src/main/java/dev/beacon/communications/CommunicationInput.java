package dev.beacon.communications;

import dev.beacon.http.Problem;
import dev.beacon.http.Problem.FieldError;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A validated communication to record (docs/compliance.md). Every error names its field; all of them
 * are reported in one 400.
 *
 * @param at when the contact happened: the client's {@code at} (imported history keeps its timestamp) or null
 *           for "now"
 */
public record CommunicationInput(Channel type, boolean outbound, String subject, String content,
                                 Integer callDuration, String callOutcome, boolean aiGenerated,
                                 boolean requiresFollowup, OffsetDateTime followupDate, OffsetDateTime at,
                                 String html, String text) {

  public static final String OUTBOUND = "outbound";
  public static final String INBOUND = "inbound";
  static final Set<String> FIELDS = Set.of("type", "direction", "subject", "content", "callDuration",
      "callOutcome", "aiGenerated", "requiresFollowup", "followupDate", "at", "html", "text");
  static final Set<String> CALL_OUTCOMES = Set.of("answered", "voicemail", "busy", "no_answer", "wrong_number",
      "disconnected");
  static final int SUBJECT_MAX = 500;
  static final int CONTENT_MAX = 60_000;
  static final int CALL_DURATION_MAX = 86_400;
  /** How far ahead of this server's clock an {@code at} may be (clock skew between systems). */
  static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(5);

  /** An outbound email or SMS given as {@code html} and/or {@code text}: Beacon instruments it (docs/sending.md). */
  public boolean instrumented() {
    return html != null || text != null;
  }

  public String direction() {
    return outbound ? OUTBOUND : INBOUND;
  }

  /** The contact's time: {@code at}, else {@code now}. */
  public Instant when(Instant now) {
    return at == null ? now : at.toInstant();
  }

  public static CommunicationInput fromJson(JsonObject json, Instant now) {
    List<FieldError> errors = new ArrayList<>();
    for (String name : json.fieldNames()) {
      if (!FIELDS.contains(name)) {
        errors.add(new FieldError(name, "is not a known field"));
      }
    }
    Fields f = new Fields(json, errors);
    Channel type = null;
    String rawType = f.string("type", 10, true);
    if (rawType != null) {
      type = Channel.of(rawType);
      if (type == null) {
        errors.add(new FieldError("type", "must be email, phone or sms"));
      }
    }
    String direction = f.string("direction", 10, true);
    if (direction != null && !direction.equals(OUTBOUND) && !direction.equals(INBOUND)) {
      errors.add(new FieldError("direction", "must be outbound or inbound"));
    }
    String subject = f.string("subject", SUBJECT_MAX, false);
    String content = f.string("content", CONTENT_MAX, false);
    Integer callDuration = f.integer("callDuration", 0, CALL_DURATION_MAX);
    String callOutcome = f.string("callOutcome", 20, false);
    if (callOutcome != null && !CALL_OUTCOMES.contains(callOutcome)) {
      errors.add(new FieldError("callOutcome", "must be one of " + String.join(", ", CALL_OUTCOMES.stream().sorted().toList())));
    }
    if (type != null && type != Channel.PHONE) {
      if (json.getValue("callDuration") != null) {
        errors.add(new FieldError("callDuration", "applies to phone communications only"));
      }
      if (json.getValue("callOutcome") != null) {
        errors.add(new FieldError("callOutcome", "applies to phone communications only"));
      }
    }
    boolean aiGenerated = f.bool("aiGenerated");
    boolean requiresFollowup = f.bool("requiresFollowup");
    OffsetDateTime followupDate = f.instant("followupDate");
    if (requiresFollowup && followupDate == null && json.getValue("followupDate") == null) {
      errors.add(new FieldError("followupDate", "is required when requiresFollowup is true"));
    }
    if (!requiresFollowup && followupDate != null) {
      errors.add(new FieldError("followupDate", "needs requiresFollowup: true"));
    }
    OffsetDateTime at = f.instant("at");
    if (at != null && at.toInstant().isAfter(now.plus(FUTURE_TOLERANCE))) {
      errors.add(new FieldError("at", "must not be in the future"));
    }
    MessageParts parts = MessageParts.read(json, type, OUTBOUND.equals(direction), errors);
    if (!errors.isEmpty()) {
      throw Problem.invalid(errors);
    }
    return new CommunicationInput(type, OUTBOUND.equals(direction), subject, content, callDuration, callOutcome,
        aiGenerated, requiresFollowup, followupDate, at, parts.html(), parts.text());
  }

  /** Typed readers that record an error instead of throwing, so one answer names every bad field. */
  private record Fields(JsonObject json, List<FieldError> errors) {
    String string(String name, int max, boolean required) {
      Object v = json.getValue(name);
      if (v == null) {
        if (required) {
          errors.add(new FieldError(name, "is required"));
        }
        return null;
      }
      if (!(v instanceof String s)) {
        errors.add(new FieldError(name, "must be a string"));
        return null;
      }
      if (s.isBlank()) {
        errors.add(new FieldError(name, "must not be blank"));
        return null;
      }
      if (s.length() > max) {
        errors.add(new FieldError(name, "must be at most " + max + " characters"));
        return null;
      }
      if (s.indexOf('\0') >= 0) {
        errors.add(new FieldError(name, "must not contain NUL characters"));
        return null;
      }
      return s;
    }

    Integer integer(String name, int min, int max) {
      return read(name, null, v -> v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
          && n.doubleValue() >= min && n.doubleValue() <= max ? n.intValue() : null,
          "must be an integer from " + min + " to " + max);
    }

    boolean bool(String name) {
      return read(name, false, v -> v instanceof Boolean b ? b : null, "must be true or false");
    }

    OffsetDateTime instant(String name) {
      return read(name, null, Fields::utcInstant, "must be an ISO-8601 instant such as 2026-11-25T17:00:00Z");
    }

    /**
     * The field as {@code parse} reads it, {@code absent} when it is absent or null; when {@code parse} answers
     * null (not a value of this kind), records {@code error} and answers {@code absent}.
     */
    private <T> T read(String name, T absent, Function<Object, T> parse, String error) {
      Object v = json.getValue(name);
      if (v == null) {
        return absent;
      }
      T value = parse.apply(v);
      if (value == null) {
        errors.add(new FieldError(name, error));
        return absent;
      }
      return value;
    }

    private static OffsetDateTime utcInstant(Object v) {
      if (v instanceof String s) {
        try {
          return OffsetDateTime.parse(s).withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
          return null;
        }
      }
      return null;
    }
  }
}
