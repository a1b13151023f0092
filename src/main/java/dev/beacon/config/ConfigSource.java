package dev.beacon.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Looks up one dotted key (e.g. {@code http.port}) in the layers Beacon reads, highest first:
 * a {@code -Dhttp.port} system property, a {@code BEACON_HTTP_PORT} environment variable (for a secret also
 * {@code BEACON_DB_PASSWORD_FILE}, a file holding the value), then {@code conf/config.json}
 * ({@code {"http": {"port": ...}}}).
 */
public final class ConfigSource {
  /**
   * Environment variables that start with {@code BEACON_} but are not configuration: the test suite's own
   * ({@code BEACON_TEST_*}, {@code BEACON_BROWSER_TESTS}). They are never read as settings and never refused.
   */
  public static final String RESERVED_PREFIX = "BEACON_TEST_";
  public static final Set<String> RESERVED = Set.of("BEACON_BROWSER_TESTS");
  /** The suffix of an environment variable naming a file that holds a secret setting's value. */
  public static final String FILE_SUFFIX = "_FILE";

  private final JsonObject file;
  private final Map<String, String> env;
  private final Map<String, String> sys;

  public ConfigSource(JsonObject file, Map<String, String> env, Map<String, String> sys) {
    this.file = file == null ? new JsonObject() : file;
    this.env = env;
    this.sys = sys;
  }

  /** Where Beacon reads its file, relative to the working directory. */
  public static final Path FILE = Path.of("conf", "config.json");

  /**
   * This process's layers: {@link #FILE} when it exists, the {@code BEACON_*} environment variables (and their
   * {@code _FILE} forms) and the {@code -D} system properties of {@link BeaconConfig#KEYS}.
   */
  public static ConfigSource ofProcess() {
    JsonObject file = new JsonObject();
    if (Files.exists(FILE)) {
      try {
        file = new JsonObject(Files.readString(FILE));
      } catch (IOException | RuntimeException e) {
        throw new ConfigException("Cannot read " + FILE + ": " + e.getMessage());
      }
    }
    Map<String, String> env = new HashMap<>();
    System.getenv().forEach((k, v) -> {
      if (k.startsWith("BEACON_")) {
        env.put(k, v);
      }
    });
    Map<String, String> sys = new HashMap<>();
    BeaconConfig.KEYS.forEach(k -> {
      String v = System.getProperty(k);
      if (v != null) {
        sys.put(k, v);
      }
    });
    return new ConfigSource(file, env, sys);
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

  /** Whether an environment variable is one of the reserved, non-configuration {@code BEACON_} names. */
  public static boolean reserved(String envName) {
    return envName.startsWith(RESERVED_PREFIX) || RESERVED.contains(envName);
  }

  /** The raw value and where it came from, or empty when no layer sets the key. */
  public Optional<Value> get(String key) {
    String s = sys.get(key);
    if (s != null) {
      return Optional.of(new Value(s, "system property -D" + key));
    }
    String envKey = envName(key);
    String e = env.get(envKey);
    String fileVar = env.get(envKey + FILE_SUFFIX);
    if (e != null && fileVar != null) {
      throw new ConfigException("Invalid configuration " + key + ": both " + envKey + " and " + envKey + FILE_SUFFIX
          + " are set; set only one");
    }
    if (e != null) {
      return Optional.of(new Value(e, "environment variable " + envKey));
    }
    if (fileVar != null) {
      return Optional.of(new Value(readSecret(key, envKey + FILE_SUFFIX, fileVar),
          "file " + fileVar + " (" + envKey + FILE_SUFFIX + ")"));
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

  /** A secret file's content without its trailing line break (Docker and Kubernetes secrets often end in one). */
  private static String readSecret(String key, String var, String path) {
    try {
      String text = Files.readString(Path.of(path));
      int end = text.length();
      while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
        end--;
      }
      return text.substring(0, end);
    } catch (IOException | RuntimeException ex) {
      throw new ConfigException("Invalid configuration " + key + " (from " + var + "): cannot read " + path + ": "
          + ex.getClass().getSimpleName());
    }
  }

  /**
   * Every setting no Beacon key accounts for, each named as the operator wrote it: a {@code conf/config.json}
   * path ({@code http.prot}) or a {@code BEACON_*} environment variable. {@code _FILE} variables are accepted for
   * the {@code secrets} only; reserved variables are ignored.
   */
  public Set<String> unknown(Collection<String> keys, Collection<String> secrets) {
    Set<String> known = new TreeSet<>();
    for (String k : keys) {
      known.add(envName(k));
    }
    for (String k : secrets) {
      known.add(envName(k) + FILE_SUFFIX);
    }
    Set<String> out = new TreeSet<>();
    for (String name : env.keySet()) {
      if (name.startsWith("BEACON_") && !reserved(name) && !known.contains(name)) {
        out.add(name);
      }
    }
    unknownIn(file, "", keys, out);
    return out;
  }

  private static void unknownIn(JsonObject node, String prefix, Collection<String> keys, Set<String> out) {
    for (String field : node.fieldNames()) {
      String path = prefix + field;
      if (keys.contains(path)) {
        continue;
      }
      boolean parent = keys.stream().anyMatch(k -> k.startsWith(path + "."));
      if (parent && node.getValue(field) instanceof JsonObject child) {
        unknownIn(child, path + ".", keys, out);
      } else {
        out.add(path + " in conf/config.json");
      }
    }
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
