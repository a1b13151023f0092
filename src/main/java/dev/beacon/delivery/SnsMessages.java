package dev.beacon.delivery;

import dev.beacon.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Amazon SNS message signatures, as documented ("Verifying the signatures of Amazon SNS messages"):
 * SignatureVersion 1 is SHA1withRSA and 2 SHA256withRSA over the message's fields in a fixed order, checked with
 * the certificate at {@code SigningCertURL}, fetched only over https from {@code sns.<region>.amazonaws.com}
 * and cached. Only messages of the configured topics are accepted: anyone can point an SNS topic of their own
 * at this URL. {@code certBase} (tests only, a loopback URL) replaces the Amazon host.
 *
 * <p>Written here rather than taken from the AWS SDK's {@code SnsMessageManager}: that needs the SDK v1 core
 * (with Apache HttpClient and Jackson) for two dozen lines of JDK cryptography, and it fetches the certificate
 * with a blocking client.
 */
final class SnsMessages {
  static final Pattern AMAZON_HOST = Pattern.compile("sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?");
  private static final List<String> NOTIFICATION = List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn",
      "Type");
  private static final List<String> SUBSCRIPTION = List.of("Message", "MessageId", "SubscribeURL", "Timestamp",
      "Token", "TopicArn", "Type");
  private static final int MAX_CACHED = 64;
  private static final int FETCH_TIMEOUT_MS = 10_000;

  private final HttpClient client;
  private final List<String> topics;
  private final String certBase;
  private final Map<String, Future<PublicKey>> certificates = new ConcurrentHashMap<>();

  SnsMessages(HttpClient client, List<String> topics, String certBase) {
    this.client = client;
    this.topics = List.copyOf(topics);
    this.certBase = certBase;
  }

  /** The message once its signature verifies and its topic is one of ours; 401 otherwise. */
  Future<JsonObject> verify(JsonObject m) {
    String type = m.getString("Type");
    if (!"Notification".equals(type) && !"SubscriptionConfirmation".equals(type)
        && !"UnsubscribeConfirmation".equals(type)) {
      return Future.failedFuture(Problem.malformed("Type must be an SNS message type"));
    }
    if (!topics.contains(m.getString("TopicArn"))) {
      return Future.failedFuture(Problem.badSignature("The SNS topic is not one this Beacon takes events from"));
    }
    String algorithm = switch (String.valueOf(m.getValue("SignatureVersion"))) {
      case "1" -> "SHA1withRSA";
      case "2" -> "SHA256withRSA";
      default -> null;
    };
    String certUrl = m.getString("SigningCertURL", m.getString("SigningCertUrl"));
    if (algorithm == null || m.getString("Signature") == null || !allowed(certUrl)) {
      return Future.failedFuture(Problem.badSignature("The SNS signature or its certificate URL is not acceptable"));
    }
    String canonical = canonical(m, "Notification".equals(type) ? NOTIFICATION : SUBSCRIPTION);
    return certificate(certUrl).map(key -> {
      try {
        Signature s = Signature.getInstance(algorithm);
        s.initVerify(key);
        s.update(canonical.getBytes(StandardCharsets.UTF_8));
        if (s.verify(Base64.getDecoder().decode(m.getString("Signature")))) {
          return m;
        }
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        // Falls through to the refusal.
      }
      throw Problem.badSignature("The SNS signature does not verify");
    });
  }

  /** Is this a URL SNS certificates (or subscription confirmations) may come from? */
  boolean allowed(String url) {
    if (url == null) {
      return false;
    }
    if (!certBase.isEmpty()) {
      return url.startsWith(certBase + "/");
    }
    try {
      URI u = URI.create(url);
      return "https".equals(u.getScheme()) && u.getHost() != null && AMAZON_HOST.matcher(u.getHost()).matches()
          && u.getPort() == -1 && u.getUserInfo() == null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Confirms a subscription by requesting its SubscribeURL (on an allowed host). */
  Future<Void> confirm(JsonObject m) {
    String url = m.getString("SubscribeURL");
    if (!allowed(url)) {
      return Future.failedFuture(Problem.badSignature("The SubscribeURL is not an SNS address"));
    }
    return get(url).compose(r -> r.status() == 200 ? Future.succeededFuture()
        : Future.failedFuture(Problem.unavailable("SNS did not confirm the subscription; retry", 30)));
  }

  private record Fetched(int status, Buffer body) {}

  private Future<Fetched> get(String url) {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
            .setConnectTimeout(FETCH_TIMEOUT_MS).setIdleTimeout(FETCH_TIMEOUT_MS))
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> new Fetched(resp.statusCode(), b)))
        .recover(t -> t instanceof Problem ? Future.failedFuture(t)
            : Future.failedFuture(Problem.unavailable("SNS could not be reached; retry", 30)));
  }

  static String canonical(JsonObject m, List<String> fields) {
    StringBuilder s = new StringBuilder();
    for (String f : fields) {
      Object v = m.getValue(f);
      if (v != null) {
        s.append(f).append('\n').append(v).append('\n');
      }
    }
    return s.toString();
  }

  private Future<PublicKey> certificate(String url) {
    if (certificates.size() > MAX_CACHED) {
      certificates.clear();
    }
    return certificates.computeIfAbsent(url, u -> get(u).map(r -> {
      if (r.status() != 200) {
        throw Problem.unavailable("The SNS signing certificate could not be fetched; retry", 30);
      }
      try {
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(r.body().getBytes()));
        cert.checkValidity();
        return cert.getPublicKey();
      } catch (GeneralSecurityException e) {
        throw Problem.badSignature("The SNS signing certificate is not a valid certificate");
      }
    }).onFailure(t -> certificates.remove(u)));
  }
}
