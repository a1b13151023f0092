package dev.beacon.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Typed, validated reads of configuration keys; every failure names the key and its origin. */
final class Settings {
  private final ConfigSource source;
  /** Every key read so far with the value used and its origin ({@code default} when no layer set it). */
  final Map<String, Effective> effective = new LinkedHashMap<>();

  /** A key's effective value as text, and where it came from. */
  record Effective(String value, String origin) {}

  Settings(ConfigSource source) {
    this.source = source;
  }

  private <T> T note(String key, T value) {
    var v = source.get(key);
    String text = value instanceof List<?> l ? String.join(",", l.stream().map(Settings::text).toList()) : text(value);
    effective.put(key, new Effective(text, v.map(ConfigSource.Value::origin).orElse("default")));
    return value;
  }

  private static String text(Object value) {
    if (value instanceof Duration d) {
      return d.toString();
    }
    if (value instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT);
    }
    return String.valueOf(value);
  }

  String string(String key, String def) {
    return note(key, source.get(key).map(ConfigSource.Value::text).orElse(def));
  }

  int integer(String key, int def, int min, int max) {
    var v = source.get(key);
    if (v.isEmpty()) {
      return note(key, def);
    }
    try {
      int n = Integer.parseInt(v.get().text());
      if (n < min || n > max) {
        throw bad(key, v.get(), "must be between " + min + " and " + max);
      }
      return note(key, n);
    } catch (NumberFormatException e) {
      throw bad(key, v.get(), "must be an integer");
    }
  }

  boolean bool(String key, boolean def) {
    var v = source.get(key);
    if (v.isEmpty()) {
      return note(key, def);
    }
    String t = v.get().text().toLowerCase();
    if (t.equals("true") || t.equals("false")) {
      return note(key, Boolean.parseBoolean(t));
    }
    throw bad(key, v.get(), "must be true or false");
  }

  /** A duration as ISO-8601 ({@code PT5M}) or a number with unit suffix ms, s, m, h, d ({@code 5m}). */
  Duration duration(String key, Duration def) {
    var v = source.get(key);
    if (v.isEmpty()) {
      return note(key, def);
    }
    String t = v.get().text();
    try {
      Duration d = parseDuration(t);
      if (d.isNegative()) {
        throw bad(key, v.get(), "must not be negative");
      }
      return note(key, d);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw bad(key, v.get(), "must be a duration such as 500ms, 30s, 5m, 2h, 1d or PT5M");
    }
  }

  /** A comma-separated list of durations ({@code 1d,3d,7d}); empty means none. */
  List<Duration> durations(String key, String def) {
    var v = source.get(key);
    String t = v.map(ConfigSource.Value::text).orElse(def).trim();
    if (t.isEmpty()) {
      return note(key, List.of());
    }
    List<Duration> out = new ArrayList<>();
    for (String part : t.split(",")) {
      try {
        Duration d = parseDuration(part.trim());
        if (d.isNegative() || d.isZero()) {
          throw new NumberFormatException(part);
        }
        out.add(d);
      } catch (DateTimeParseException | NumberFormatException | StringIndexOutOfBoundsException e) {
        throw v.isPresent() ? bad(key, v.get(), "must be a comma-separated list of positive durations such as 1d,3d,7d")
            : bad(key, "must be a comma-separated list of positive durations such as 1d,3d,7d");
      }
    }
    return note(key, List.copyOf(out));
  }

  static Duration parseDuration(String t) {
    if (t.startsWith("P") || t.startsWith("p")) {
      return Duration.parse(t);
    }
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    long n = Long.parseLong(t.substring(0, t.length() - 1));
    return switch (t.charAt(t.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      case 'd' -> Duration.ofDays(n);
      default -> throw new NumberFormatException(t);
    };
  }

  <E extends Enum<E>> E enumeration(String key, E def, Class<E> type) {
    var v = source.get(key);
    if (v.isEmpty()) {
      return note(key, def);
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v.get().text())) {
        return note(key, e);
      }
    }
    throw bad(key, v.get(), "must be one of " + List.of(type.getEnumConstants()).toString().toLowerCase());
  }

  /** An http(s) URL without a trailing slash, or the default. */
  String url(String key, String def) {
    var v = source.get(key);
    if (v.isEmpty() || v.get().text().isEmpty()) {
      return note(key, def);
    }
    String t = v.get().text();
    try {
      URI u = URI.create(t);
      if (u.getScheme() == null || u.getHost() == null) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw bad(key, v.get(), "must be an absolute URL");
    }
    return note(key, t.endsWith("/") ? t.substring(0, t.length() - 1) : t);
  }

  /** A JSON array given in the file or as JSON text in an environment variable or property. */
  JsonArray array(String key) {
    var v = source.get(key);
    if (v.isEmpty()) {
      return note(key, new JsonArray());
    }
    Object raw = v.get().raw();
    if (raw instanceof JsonArray a) {
      return note(key, a);
    }
    try {
      return note(key, new JsonArray(v.get().text()));
    } catch (RuntimeException e) {
      throw bad(key, v.get(), "must be a JSON array");
    }
  }

  JsonObject object(String key) {
    var v = source.get(key);
    if (v.isEmpty()) {
      return note(key, new JsonObject());
    }
    if (v.get().raw() instanceof JsonObject o) {
      return note(key, o);
    }
    try {
      return note(key, new JsonObject(v.get().text()));
    } catch (RuntimeException e) {
      throw bad(key, v.get(), "must be a JSON object");
    }
  }

  ConfigException bad(String key, ConfigSource.Value v, String why) {
    return new ConfigException("Invalid configuration " + key + " (from " + v.origin() + "): " + why);
  }

  ConfigException bad(String key, String why) {
    return new ConfigException("Invalid configuration " + key + ": " + why);
  }

  Set<String> unknown(Collection<String> keys, Collection<String> secrets) {
    return source.unknown(keys, secrets);
  }

  ConfigSource.Value raw(String key) {
    return source.get(key).orElse(null);
  }
}
