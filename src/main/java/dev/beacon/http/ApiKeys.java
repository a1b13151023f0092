package dev.beacon.http;

import dev.beacon.config.BeaconConfig.ApiKey;
import dev.beacon.config.BeaconConfig.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.stream.Collectors;

/** The known API keys, by the SHA-256 of the key. The plain key is never stored or logged. */
public final class ApiKeys {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Map<String, ApiKey> byHash;

  public ApiKeys(List<ApiKey> keys) {
    this.byHash = keys.stream().collect(Collectors.toUnmodifiableMap(ApiKey::sha256, Function.identity(), (a, b) -> a));
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
      JsonArray a = new JsonArray(Files.readString(keyFile));
      List<ApiKey> keys = new ArrayList<>();
      for (int i = 0; i < a.size(); i++) {
        JsonObject k = a.getJsonObject(i);
        keys.add(new ApiKey(k.getString("name"), Role.valueOf(k.getString("role").toUpperCase(Locale.ROOT)),
            k.getString("sha256")));
      }
      return new ApiKeys(keys);
    }
    String agent = newKey(Role.AGENT);
    String ops = newKey(Role.OPS);
    List<ApiKey> keys = List.of(new ApiKey("first-agent", Role.AGENT, sha256(agent)),
        new ApiKey("first-ops", Role.OPS, sha256(ops)));
    JsonArray a = new JsonArray();
    keys.forEach(k -> a.add(new JsonObject().put("name", k.name()).put("role", k.role().name().toLowerCase(Locale.ROOT))
        .put("sha256", k.sha256())));
    Files.createDirectories(keyFile.toAbsolutePath().getParent());
    Files.writeString(keyFile, a.encodePrettily());
    try {
      Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system; the file holds hashes only
    }
    out.println();
    out.println("No API keys were configured, so Beacon created two. They are shown this once only;");
    out.println("only their SHA-256 hashes are kept (in " + keyFile + "):");
    out.println("  agent key: " + agent);
    out.println("  ops key:   " + ops);
    out.println();
    return new ApiKeys(keys);
  }
}
