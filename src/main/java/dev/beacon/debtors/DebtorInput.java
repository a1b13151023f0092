package dev.beacon.debtors;

import dev.beacon.core.DebtorStatus;
import dev.beacon.core.Money;
import dev.beacon.http.Problem.FieldError;
import dev.beacon.http.Problem;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A validated, normalised set of debtor fields: only the fields the client sent, each mapped to the value
 * stored (trimmed text, lower-case email, digits-only phone with optional +, upper-case state, BigDecimal
 * money, Boolean flags; null clears an optional field).
 */
public record DebtorInput(Map<DebtorField, Object> values) {
  /** How the input arrived: JSON has typed values; CSV has only text. */
  public enum Mode { CREATE, PATCH }

  private static final Pattern EMAIL = Pattern.compile(
      "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");
  private static final Pattern PHONE_SEPARATORS = Pattern.compile("[\\s().-]");
  private static final Pattern PHONE = Pattern.compile("^\\+?[0-9]{7,15}$");
  private static final Pattern ZIP = Pattern.compile("^[0-9]{5}(-[0-9]{4})?$");

  /**
   * The money invariant: what was paid never exceeds what is owed, as an agent enters it (create, PATCH, import).
   * Payments themselves (Stripe, imported payments) may overpay; those resolve the debtor instead.
   */
  public static final String PAID_OVER_OWED = "must not exceed totalOwed";

  /** For a new debtor, where an absent amount is 0: 400 naming amountPaid when it exceeds totalOwed. */
  public DebtorInput requirePaidWithinOwed() {
    Object paid = values.get(DebtorField.AMOUNT_PAID);
    Object owed = values.get(DebtorField.TOTAL_OWED);
    BigDecimal p = paid instanceof BigDecimal b ? b : BigDecimal.ZERO;
    BigDecimal o = owed instanceof BigDecimal b ? b : BigDecimal.ZERO;
    if (p.compareTo(o) > 0) {
      throw Problem.invalid(DebtorField.AMOUNT_PAID.json, PAID_OVER_OWED);
    }
    return this;
  }

  public Object get(DebtorField f) {
    return values.get(f);
  }

  public boolean has(DebtorField f) {
    return values.containsKey(f);
  }

  /** Validates a JSON object; collects every field error, then throws one 400 naming them all. */
  public static DebtorInput fromJson(JsonObject json, Mode mode) {
    return parse(json.getMap(), mode, false);
  }

  /** Validates a CSV row given as header → text; empty cells are absent. */
  public static DebtorInput fromText(Map<String, String> row) {
    Map<String, Object> m = new LinkedHashMap<>();
    row.forEach((k, v) -> {
      if (v != null && !v.isEmpty()) {
        m.put(k, v);
      }
    });
    return parse(m, Mode.CREATE, true);
  }

  private static DebtorInput parse(Map<String, Object> json, Mode mode, boolean textOnly) {
    List<FieldError> errors = new ArrayList<>();
    Map<DebtorField, Object> out = new EnumMap<>(DebtorField.class);
    for (var e : json.entrySet()) {
      DebtorField f = DebtorField.byJson(e.getKey());
      if (f == null) {
        errors.add(new FieldError(e.getKey(), "is not a known field"));
        continue;
      }
      try {
        out.put(f, normalise(f, e.getValue(), textOnly));
      } catch (IllegalArgumentException ex) {
        errors.add(new FieldError(f.json, ex.getMessage()));
      }
    }
    if (mode == Mode.CREATE) {
      for (DebtorField f : DebtorField.values()) {
        if (f.required() && out.get(f) == null && !json.containsKey(f.json)) {
          errors.add(new FieldError(f.json, "is required"));
        }
      }
    }
    if (out.get(DebtorField.AMOUNT_PAID) instanceof BigDecimal paid
        && out.get(DebtorField.TOTAL_OWED) instanceof BigDecimal owed && paid.compareTo(owed) > 0) {
      errors.add(new FieldError(DebtorField.AMOUNT_PAID.json, PAID_OVER_OWED));
    }
    if (mode == Mode.PATCH && out.isEmpty() && errors.isEmpty()) {
      errors.add(new FieldError("body", "names no field to change"));
    }
    if (!errors.isEmpty()) {
      throw Problem.invalid(errors);
    }
    return new DebtorInput(Collections.unmodifiableMap(out));
  }

  static Object normalise(DebtorField f, Object v, boolean textOnly) {
    if (v == null) {
      if (f.nonNull()) {
        throw new IllegalArgumentException("must not be null");
      }
      return null;
    }
    return switch (f.kind) {
      case TEXT -> text(f, v);
      case EMAIL -> {
        String s = text(f, v).toLowerCase(Locale.ROOT);
        if (!EMAIL.matcher(s).matches()) {
          throw new IllegalArgumentException("must be an email address");
        }
        yield s;
      }
      case PHONE -> {
        String s = PHONE_SEPARATORS.matcher(text(f, v)).replaceAll("");
        if (!PHONE.matcher(s).matches()) {
          throw new IllegalArgumentException("must be a phone number of 7 to 15 digits, optionally starting with +");
        }
        yield s;
      }
      case STATE -> {
        String s = string(v).trim().toUpperCase(Locale.ROOT);
        if (!UsStates.isKnown(s)) {
          throw new IllegalArgumentException("must be a two-letter US state or territory code");
        }
        yield s;
      }
      case ZIP -> {
        String s = string(v).trim();
        if (!ZIP.matcher(s).matches()) {
          throw new IllegalArgumentException("must be a ZIP code: 12345 or 12345-6789");
        }
        yield s;
      }
      case TIMEZONE -> zone(string(v).trim());
      case MONEY -> Money.parse(v);
      case STATUS -> {
        String s = string(v).trim().toLowerCase(Locale.ROOT);
        if (!DebtorStatus.ALL.contains(s)) {
          throw new IllegalArgumentException("must be one of " + String.join(", ", DebtorStatus.ALL));
        }
        yield s;
      }
      case BOOLEAN -> bool(v, textOnly);
    };
  }

  private static String string(Object v) {
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException("must be a string");
    }
    return s;
  }

  private static String text(DebtorField f, Object v) {
    String s = string(v).trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("must not be blank");
    }
    if (s.length() > f.maxLength) {
      throw new IllegalArgumentException("must be at most " + f.maxLength + " characters");
    }
    if (s.chars().anyMatch(c -> c < 0x20)) {
      throw new IllegalArgumentException("must not contain control characters");
    }
    return s;
  }

  private static String zone(String s) {
    try {
      ZoneId z = ZoneId.of(s);
      if (!s.contains("/") || s.length() > 64) {
        throw new IllegalArgumentException("must be an IANA time zone such as America/Chicago");
      }
      return z.getId();
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("must be an IANA time zone such as America/Chicago");
    }
  }

  private static Boolean bool(Object v, boolean textOnly) {
    if (v instanceof Boolean b) {
      return b;
    }
    if (textOnly && v instanceof String s) {
      switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "y", "1" -> { return true; }
        case "false", "no", "n", "0" -> { return false; }
        default -> { }
      }
    }
    throw new IllegalArgumentException("must be true or false");
  }
}
