package dev.beacon.http;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Instants on the wire: ISO-8601 in UTC ({@code 2026-11-25T17:00:00Z}). */
public final class Times {
  private Times() {}

  public static String format(OffsetDateTime t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.toInstant());
  }

  public static String format(Instant t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
  }

  /** Parses an ISO instant or offset date-time; throws a 400 naming {@code field} otherwise. */
  public static OffsetDateTime parse(String field, String raw) {
    try {
      return OffsetDateTime.parse(raw).withOffsetSameInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw Problem.invalid(field, "must be an ISO-8601 instant such as 2026-11-25T17:00:00Z");
    }
  }
}
