package dev.beacon.http;

import dev.beacon.config.BeaconConfig.ApiKey;
import dev.beacon.config.BeaconConfig.Role;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The known API keys, by the SHA-256 of the key. The plain key is never stored or logged. */
public final class ApiKeys {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);
  /** How often a server whose keys live in the key file looks for changes made by {@code beacon keys}. */
  public static final long WATCH_MILLIS = 2000;
  /** A key's name: what {@code keys revoke} and the logs refer to it by. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private volatile Map<String, ApiKey> byHash;

  public ApiKeys(List<ApiKey> keys) {
    this.byHash = index(keys);
  }

  private static Map<String, ApiKey> index(List<ApiKey> keys) {
    return keys.stream().collect(Collectors.toUnmodifiableMap(ApiKey::sha256, Function.identity(), (a, b) -> a));
  }

  /**
   * Reloads the key file whenever it changes (every {@value #WATCH_MILLIS} ms a look at its modification time), so
   * a key made or revoked by {@code beacon keys} takes effect in the running server within seconds. A file that
   * cannot be read keeps the keys loaded before and logs why; a deleted file leaves no key valid.
   */
  public ApiKeys watch(Vertx vertx, Path keyFile) {
    long[] seen = {modified(keyFile)};
    vertx.setPeriodic(WATCH_MILLIS, WATCH_MILLIS, id -> vertx.executeBlocking(() -> {
      long now = modified(keyFile);
      if (now != seen[0]) {
        seen[0] = now;
        byHash = index(now == 0 ? List.of() : read(keyFile));
        LOG.info("API keys reloaded from {} ({} keys)", keyFile, byHash.size());
      }
      return null;
    }).onFailure(t -> LOG.warn("API key file {} could not be read; the keys loaded before stay valid: {}",
        keyFile, t.getMessage())));
    return this;
  }

  private static long modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis() ^ Files.size(file) << 40;
    } catch (IOException e) {
      return 0;
    }
  }

  public Optional<ApiKey> find(String presented) {
    return Optional.ofNullable(byHash.get(sha256(presented)));
  }

  public int size() {
    return byHash.size();
  }

  public static String sha256(String key) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new random key: 32 bytes, URL-safe, prefixed with its role for people who juggle several. */
  public static String newKey(Role role) {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return "bk_" + role.name().toLowerCase(Locale.ROOT) + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /**
   * The configured keys, or, when none are configured, those in {@code keyFile}; on the very first run this
   * creates an agent and an ops key, prints them once on {@code out}, and stores only their hashes.
   */
  public static ApiKeys loadOrCreate(List<ApiKey> configured, Path keyFile, PrintStream out) throws IOException {
    if (!configured.isEmpty()) {
      return new ApiKeys(configured);
    }
    if (Files.exists(keyFile)) {
      return new ApiKeys(read(keyFile));
    }
    String agent = newKey(Role.AGENT);
    String ops = newKey(Role.OPS);
    List<ApiKey> keys = List.of(new ApiKey("first-agent", Role.AGENT, sha256(agent)),
        new ApiKey("first-ops", Role.OPS, sha256(ops)));
    JsonArray a = new JsonArray();
    keys.forEach(k -> a.add(entry(k)));
    write(keyFile, a);
    out.println();
    out.println("No API keys were configured, so Beacon created two. They are shown this once only;");
    out.println("only their SHA-256 hashes are kept (in " + keyFile + "):");
    out.println("  agent key: " + agent);
    out.println("  ops key:   " + ops);
    out.println();
    return new ApiKeys(keys);
  }

  /** The keys of a key file ({@code [{name, role, sha256}]}). */
  public static List<ApiKey> read(Path keyFile) throws IOException {
    JsonArray a = new JsonArray(Files.readString(keyFile));
    List<ApiKey> keys = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      JsonObject k = a.getJsonObject(i);
      keys.add(new ApiKey(k.getString("name"), Role.valueOf(k.getString("role").toUpperCase(Locale.ROOT)),
          k.getString("sha256")));
    }
    return keys;
  }

  /** The raw entries of a key file (with their {@code created} time where known), or none without a file. */
  public static JsonArray entries(Path keyFile) throws IOException {
    return Files.exists(keyFile) ? new JsonArray(Files.readString(keyFile)) : new JsonArray();
  }

  public static JsonObject entry(ApiKey k) {
    return new JsonObject().put("name", k.name()).put("role", k.role().name().toLowerCase(Locale.ROOT))
        .put("sha256", k.sha256());
  }

  /** Replaces the key file in one step (written beside it, then renamed), readable by its owner only. */
  public static void write(Path keyFile, JsonArray entries) throws IOException {
    Path dir = keyFile.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".api-keys", ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system; the file holds hashes only
      }
      Files.writeString(tmp, entries.encodePrettily());
      Files.move(tmp, keyFile, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
