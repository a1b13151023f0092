package dev.beacon.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Looks up one dotted key (e.g. {@code http.port}) in the three layers Beacon reads, highest first:
 * a {@code -Dhttp.port} system property, a {@code BEACON_HTTP_PORT} environment variable, then
 * {@code conf/config.json} ({@code {"http": {"port": ...}}}).
 */
public final class ConfigSource {
  private final JsonObject file;
  private final Map<String, String> env;
  private final Map<String, String> sys;

  public ConfigSource(JsonObject file, Map<String, String> env, Map<String, String> sys) {
    this.file = file == null ? new JsonObject() : file;
    this.env = env;
    this.sys = sys;
  }

  /** The environment variable that overrides a dotted key: {@code tracking.ipStorage} → {@code BEACON_TRACKING_IP_STORAGE}. */
  public static String envName(String key) {
    StringBuilder sb = new StringBuilder("BEACON_");
    for (char c : key.toCharArray()) {
      if (c == '.') {
        sb.append('_');
      } else if (Character.isUpperCase(c)) {
        sb.append('_').append(c);
      } else {
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString().toUpperCase(Locale.ROOT);
  }

  /** The raw value and where it came from, or empty when no layer sets the key. */
  public Optional<Value> get(String key) {
    String s = sys.get(key);
    if (s != null) {
      return Optional.of(new Value(s, "system property -D" + key));
    }
    String envKey = envName(key);
    String e = env.get(envKey);
    if (e != null) {
      return Optional.of(new Value(e, "environment variable " + envKey));
    }
    Object node = file;
    for (String part : key.split("\\.")) {
      if (!(node instanceof JsonObject obj) || !obj.containsKey(part)) {
        return Optional.empty();
      }
      node = obj.getValue(part);
    }
    if (node == null) {
      return Optional.empty();
    }
    return Optional.of(new Value(node, "conf/config.json"));
  }

  /** A configured value with its origin, for error messages. */
  public record Value(Object raw, String origin) {
    public String text() {
      if (raw instanceof JsonArray || raw instanceof JsonObject) {
        return raw.toString();
      }
      return String.valueOf(raw).trim();
    }
  }
}
