package dev.beacon.tracking;

import dev.beacon.config.BeaconConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The click-link signing secret: configured, or generated on the first start and kept in
 * {@code <data.dir>/link-secret} so links stay valid across restarts. Blocking file I/O: call it from main.
 */
public final class LinkSecret {
  static final String FILE = "link-secret";
  private static final SecureRandom RANDOM = new SecureRandom();

  private LinkSecret() {}

  /** The config with {@code tracking.linkSecret} filled in. */
  public static BeaconConfig ensure(BeaconConfig config) throws IOException {
    if (!config.tracking().linkSecret().isEmpty()) {
      return config;
    }
    return config.withLinkSecret(loadOrCreate(config.dataDir().resolve(FILE)));
  }

  static String loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      String s = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (!s.isEmpty()) {
        return s;
      }
    }
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    return secret;
  }
}
