package dev.beacon.tracking;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;

/**
 * Signs click-tracking links: HMAC-SHA256 over {@code token|communicationId|url} with
 * {@code tracking.linkSecret}, Base64url without padding. Only http(s) targets are ever signed.
 */
public final class LinkSigner {
  static final int MAX_URL_LENGTH = 2048;
  private static final String ALGORITHM = "HmacSHA256";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private final SecretKeySpec key;

  public LinkSigner(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("tracking.linkSecret must not be empty");
    }
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
  }

  public String sign(String token, String communicationId, String url) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return B64.encodeToString(mac.doFinal((token + "|" + communicationId + "|" + url)
          .getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Constant-time comparison; false for any missing part. */
  public boolean verify(String token, String communicationId, String url, String signature) {
    if (token == null || communicationId == null || url == null || signature == null || signature.isEmpty()) {
      return false;
    }
    byte[] expected = sign(token, communicationId, url).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
  }

  /** An absolute http or https URL with a host, at most {@value #MAX_URL_LENGTH} characters. */
  public static boolean allowedTarget(String url) {
    if (url == null || url.isEmpty() || url.length() > MAX_URL_LENGTH) {
      return false;
    }
    try {
      URI u = new URI(url);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && u.getHost() != null && !u.getHost().isEmpty();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** The public click URL: {@code base/t/c/token/communicationId?u=...&s=...}. */
  public String trackedUrl(String base, String token, String communicationId, String url) {
    return base + "/t/c/" + token + "/" + communicationId + "?u=" + URLEncoder.encode(url, StandardCharsets.UTF_8)
        + "&s=" + sign(token, communicationId, url);
  }
}
