package dev.beacon.config;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Beacon's whole configuration, parsed and validated once at start. Every key, its environment variable and
 * its default are listed in docs/configuration.md. Each section is parsed by {@link ConfigSections}, where the
 * defaults live and nowhere else: {@code conf/config.json} only sets what an installation changes.
 */
public record BeaconConfig(Http http, Db db, Auth auth, Path dataDir, Tracking tracking, Payments payments,
                           Retention retention, Scoring scoring, Sending sending, Delivery delivery, Ops ops,
                           Limits limits) {

  /** HTTP server settings. {@code publicUrl} is empty when links should follow the request's own host. */
  public record Http(String host, int port, int instances, String publicUrl, int bodyLimit, int importLimitMb) {
    /** The largest import body in bytes ({@code importLimitMb} MiB), for every import, declared length or chunked. */
    public long importLimitBytes() {
      return importLimitMb * 1024L * 1024L;
    }
  }

  /** Database settings. An empty {@code url} means: start the embedded PostgreSQL under {@code embeddedDir}. */
  public record Db(String url, String user, String password, int poolSize, Path embeddedDir, int embeddedPort,
                   String readUrl) {
    public boolean embedded() {
      return url.isEmpty();
    }
  }

  /** Configured API keys; empty means "generate a first agent key under data/". */
  public record Auth(List<ApiKey> keys) {}

  /** One configured API key: only the SHA-256 of the key is ever held. */
  public record ApiKey(String name, Role role, String sha256) {}

  /** Roles, from docs/api.md "Authentication". */
  public enum Role { AGENT, VIEWER, OPS }

  /** How much of a visitor's IP address is stored; classification always sees the full address. */
  public enum IpStorage { FULL, TRUNCATED, NONE }

  /**
   * Tracking: {@code linkSecret} signs click links (empty: generated once and kept under data/);
   * the writer queue bounds; how many writer statements the process runs at once ({@code flushSlots}) and how long
   * a batch waits for one before it runs on a spare ({@code flushHedge}, zero: never); the
   * window after a send in which an open or click counts as machine; optional CIDR lists of scanner networks;
   * the enricher's batch size and idle interval, and the journal backlog over which the hot path sheds.
   */
  public record Tracking(String linkSecret, IpStorage ipStorage, int queueCapacity, int batchMax, int flushSlots,
                         Duration flushHedge, Duration sendWindow, List<String> scannerCidrs, int enrichBatch,
                         Duration enrichInterval, int journalBacklogMax) {}

  /**
   * Payments through Stripe Checkout. Without {@code stripeApiKey} and {@code stripeWebhookSecret} Beacon still
   * runs and checkout answers 503 "payments are not configured".
   */
  public record Payments(String stripeApiKey, String stripeWebhookSecret, String stripeApiBase, String currency,
                         BigDecimal minPartial, int planMinInstallments, int planMaxInstallments,
                         Duration stripeTimeout, List<Duration> planRetrySchedule,
                         Duration planJobInterval) {
    public boolean configured() {
      return !stripeApiKey.isEmpty() && !stripeWebhookSecret.isEmpty();
    }
  }

  /**
   * Data lifecycle: months of raw email events and page views kept in the database (older monthly partitions
   * are archived to {@code archiveDir} and dropped); years that communications and payments are kept after the
   * debtor's last activity (12 CFR 1006.100: at least three); how often the retention job runs.
   */
  public record Retention(boolean enabled, int emailEventsMonths, int pageViewsMonths, int communicationsYears,
                          int paymentsYears, Path archiveDir, Duration interval) {
    /** The least 12 CFR 1006.100 allows for communications and payments records. */
    public static final int MIN_RECORD_YEARS = 3;
  }

  /**
   * Scoring: how often the scoring job runs, the model version it uses unless one is chosen through the API, and
   * how many debtors one statement scores.
   */
  public record Scoring(Duration interval, String model, int chunkSize) {}

  /**
   * Sending: the address a {@code List-Unsubscribe} {@code mailto:} names beside the one-click URL (empty: the
   * header names the URL only).
   */
  public record Sending(String unsubscribeMailto) {}

  /**
   * Provider delivery webhooks (docs/provider-events.md): each provider's route answers 503 until its secret is
   * set. {@code snsCertBase} is for tests only: empty in production (SNS certificates then come only from
   * {@code https://sns.<region>.amazonaws.com}); a test sets a loopback {@code http://127.0.0.1:<port>} fake.
   */
  public record Delivery(String sendgridPublicKey, String mailgunSigningKey, String postmarkUser,
                         String postmarkPassword, String twilioAuthToken, List<String> sesTopicArns,
                         String snsCertBase, int softBounceLimit) {}

  /** How log lines are written: one text line, or one JSON object per line (logback's JsonEncoder). */
  public enum LogFormat { TEXT, JSON }

  /**
   * Running behind proxies and in a cluster: the networks whose {@code Forwarded} / {@code X-Forwarded-*} headers
   * are believed (empty: none, and the headers are never read); the log format and whether every request gets
   * an access-log line; on SIGTERM, how long readiness answers 503 before the server stops accepting
   * ({@code shutdownDelay}), then how long requests in flight may take to finish ({@code shutdownGrace}).
   */
  public record Ops(List<String> trustedProxies, LogFormat logFormat, boolean accessLog,
                    Duration shutdownDelay, Duration shutdownGrace) {}

  /**
   * Rate limits (0 requests turns one off) and slow-client timeouts: requests per period for one debtor token on
   * checkout creation and the opt-out and one-click posts; requests per period for one API key on {@code /api};
   * how long a client may take to send a request's headers, and to send a (non-import) request's body.
   */
  public record Limits(int tokenRequests, Duration tokenPeriod, int apiKeyRequests,
                       Duration apiKeyPeriod, Duration headerTimeout,
                       Duration bodyTimeout) {}

  /** Every key Beacon reads; used for the environment whitelist and docs/configuration.md. */
  public static final List<String> KEYS = List.of(
      "http.host", "http.port", "http.instances", "http.publicUrl", "http.bodyLimit", "http.importLimitMb",
      "db.url", "db.user", "db.password", "db.poolSize", "db.embeddedDir", "db.embeddedPort", "db.readUrl",
      "auth.keys", "data.dir",
      "tracking.linkSecret", "tracking.ipStorage", "tracking.queueCapacity", "tracking.batchMax",
      "tracking.flushSlots", "tracking.flushHedge", "tracking.sendWindow", "tracking.scannerCidrs",
      "tracking.enrichBatch", "tracking.enrichInterval", "tracking.journalBacklogMax",
      "payments.stripeApiKey", "payments.stripeWebhookSecret", "payments.stripeApiBase", "payments.currency",
      "payments.minPartial", "payments.planMinInstallments", "payments.planMaxInstallments",
      "payments.stripeTimeout", "payments.planRetrySchedule", "payments.planJobInterval",
      "retention.enabled", "retention.emailEventsMonths", "retention.pageViewsMonths",
      "retention.communicationsYears", "retention.paymentsYears", "retention.archiveDir", "retention.interval",
      "scoring.interval", "scoring.model", "scoring.chunkSize", "sending.unsubscribeMailto",
      "delivery.sendgridPublicKey", "delivery.mailgunSigningKey", "delivery.postmarkUser", "delivery.postmarkPassword",
      "delivery.twilioAuthToken", "delivery.sesTopicArns", "delivery.snsCertBase", "delivery.softBounceLimit",
      "http.trustedProxies", "http.shutdownDelay", "http.shutdownGrace", "log.format", "log.access",
      "limits.tokenRequests", "limits.tokenPeriod", "limits.apiKeyRequests", "limits.apiKeyPeriod",
      "limits.headerTimeout", "limits.bodyTimeout");

  /**
   * The keys that hold secrets: never printed by {@code beacon config}, and each may also be read from the file
   * an environment variable {@code <NAME>_FILE} names (Docker and Kubernetes secrets).
   */
  public static final List<String> SECRETS = List.of("db.url", "db.password", "db.readUrl", "tracking.linkSecret",
      "payments.stripeApiKey", "payments.stripeWebhookSecret", "auth.keys", "delivery.mailgunSigningKey",
      "delivery.postmarkPassword", "delivery.twilioAuthToken");

  /** Reads and validates everything; throws {@link ConfigException} naming the first bad key. */
  public static BeaconConfig load(ConfigSource source) {
    return load(new Settings(source));
  }

  /**
   * Every key with the value Beacon uses and where it came from ({@code default}, {@code conf/config.json}, an
   * environment variable, a secret file or a system property); secrets are redacted. For {@code beacon config}.
   */
  public static Map<String, String[]> explain(ConfigSource source) {
    Settings s = new Settings(source);
    load(s);
    Map<String, String[]> out = new TreeMap<>();
    s.effective.forEach((key, e) -> {
      if (KEYS.contains(key)) {
        out.put(key, new String[] {SECRETS.contains(key) ? redacted(e.value()) : e.value(), e.origin()});
      }
    });
    return out;
  }

  private static String redacted(String value) {
    if (value.isEmpty() || value.equals("[]")) {
      return value.isEmpty() ? "(empty)" : value;
    }
    return "(set, redacted)";
  }

  private static BeaconConfig load(Settings s) {
    var unknown = s.unknown(KEYS, SECRETS);
    if (!unknown.isEmpty()) {
      throw new ConfigException("Unknown configuration " + String.join(", ", unknown)
          + " (a misspelt setting would silently fall back to its default; see docs/configuration.md)");
    }
    Path dataDir = Path.of(s.string("data.dir", "data"));
    return new BeaconConfig(ConfigSections.http(s), ConfigSections.db(s, dataDir), new Auth(ConfigSections.apiKeys(s)),
        dataDir, ConfigSections.tracking(s), ConfigSections.payments(s), ConfigSections.retention(s, dataDir),
        ConfigSections.scoring(s), ConfigSections.sending(s), ConfigSections.delivery(s), ConfigSections.ops(s),
        ConfigSections.limits(s));
  }

  /** The same configuration listening on another port (used to fix port 0 to one free port for all instances). */
  public BeaconConfig withPort(int port) {
    Http h = new Http(http.host(), port, http.instances(), http.publicUrl(), http.bodyLimit(), http.importLimitMb());
    return new BeaconConfig(h, db, auth, dataDir, tracking, payments, retention, scoring, sending, delivery, ops,
        limits);
  }

  /** The same config with the click-link signing secret set (tracking's LinkSecret fills an empty one). */
  public BeaconConfig withLinkSecret(String secret) {
    Tracking t = tracking;
    return new BeaconConfig(http, db, auth, dataDir, new Tracking(secret, t.ipStorage(), t.queueCapacity(),
        t.batchMax(), t.flushSlots(), t.flushHedge(), t.sendWindow(), t.scannerCidrs(), t.enrichBatch(),
        t.enrichInterval(), t.journalBacklogMax()), payments, retention, scoring, sending, delivery, ops, limits);
  }

  /** Convenience for tests and tools: a config from a file-shaped JSON object alone. */
  public static BeaconConfig of(JsonObject file) {
    return load(new ConfigSource(file, Map.of(), Map.of()));
  }
}
