package dev.beacon.config;

import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Beacon's whole configuration, parsed and validated once at start. Every key, its environment variable and
 * its default are listed in the README; {@code conf/config.json} holds the defaults.
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
   * the writer queue bounds; how many writer statements the process runs at once ({@code flushSlots}); the
   * window after a send in which an open or click counts as machine; optional CIDR lists of scanner networks;
   * the enricher's batch size and idle interval, and the journal backlog over which the hot path sheds.
   */
  public record Tracking(String linkSecret, IpStorage ipStorage, int queueCapacity, int batchMax, int flushSlots,
                         java.time.Duration sendWindow, List<String> scannerCidrs, int enrichBatch,
                         java.time.Duration enrichInterval, int journalBacklogMax) {}

  /**
   * Payments through Stripe Checkout. Without {@code stripeApiKey} and {@code stripeWebhookSecret} Beacon still
   * runs and checkout answers 503 "payments are not configured".
   */
  public record Payments(String stripeApiKey, String stripeWebhookSecret, String stripeApiBase, String currency,
                         java.math.BigDecimal minPartial, int planMinInstallments, int planMaxInstallments,
                         java.time.Duration stripeTimeout, List<java.time.Duration> planRetrySchedule,
                         java.time.Duration planJobInterval) {
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
                          int paymentsYears, Path archiveDir, java.time.Duration interval) {
    /** The least 12 CFR 1006.100 allows for communications and payments records. */
    public static final int MIN_RECORD_YEARS = 3;
  }

  /**
   * Scoring: how often the scoring job runs, the model version it uses unless one is chosen through the API, and
   * how many debtors one statement scores.
   */
  public record Scoring(java.time.Duration interval, String model, int chunkSize) {}

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
                    java.time.Duration shutdownDelay, java.time.Duration shutdownGrace) {}

  /**
   * Rate limits (0 requests turns one off) and slow-client timeouts: requests per period for one debtor token on
   * checkout creation and the opt-out and one-click posts; requests per period for one API key on {@code /api};
   * how long a client may take to send a request's headers, and to send a (non-import) request's body.
   */
  public record Limits(int tokenRequests, java.time.Duration tokenPeriod, int apiKeyRequests,
                       java.time.Duration apiKeyPeriod, java.time.Duration headerTimeout,
                       java.time.Duration bodyTimeout) {}

  /** Every key Beacon reads; used for the environment whitelist and the README. */
  public static final List<String> KEYS = List.of(
      "http.host", "http.port", "http.instances", "http.publicUrl", "http.bodyLimit", "http.importLimitMb",
      "db.url", "db.user", "db.password", "db.poolSize", "db.embeddedDir", "db.embeddedPort", "db.readUrl",
      "auth.keys", "data.dir",
      "tracking.linkSecret", "tracking.ipStorage", "tracking.queueCapacity", "tracking.batchMax",
      "tracking.flushSlots", "tracking.sendWindow", "tracking.scannerCidrs", "tracking.enrichBatch",
      "tracking.enrichInterval", "tracking.journalBacklogMax",
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

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

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
    Map<String, String[]> out = new java.util.TreeMap<>();
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
          + " (a misspelt setting would silently fall back to its default; see the README's configuration table)");
    }
    int cpus = Runtime.getRuntime().availableProcessors();
    int instances = s.integer("http.instances", 0, 0, 256);
    Http http = new Http(
        s.string("http.host", "0.0.0.0"),
        s.integer("http.port", 8080, 0, 65535),
        instances == 0 ? cpus : instances,
        s.url("http.publicUrl", ""),
        s.integer("http.bodyLimit", 65536, 1024, 16 * 1024 * 1024),
        s.integer("http.importLimitMb", 512, 1, 16384));
    Path dataDir = Path.of(s.string("data.dir", "data"));
    String url = s.string("db.url", "");
    if (!url.isEmpty() && !url.matches("(jdbc:)?postgres(ql)?://.+")) {
      throw s.bad("db.url", s.raw("db.url"), "must look like postgresql://user:password@host:5432/database");
    }
    Db db = new Db(
        url.startsWith("jdbc:") ? url.substring(5) : url,
        s.string("db.user", ""),
        s.string("db.password", ""),
        s.integer("db.poolSize", 16, 1, 512),
        Path.of(s.string("db.embeddedDir", dataDir.resolve("pg").toString())),
        s.integer("db.embeddedPort", 0, 0, 65535),
        readUrl(s));
    return new BeaconConfig(http, db, new Auth(apiKeys(s)), dataDir, tracking(s), payments(s),
        retention(s, dataDir), scoring(s), sending(s), delivery(s), ops(s),
        limits(s));
  }

  private static final Pattern MAILBOX = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?");

  private static Sending sending(Settings s) {
    String mailto = s.string("sending.unsubscribeMailto", "");
    if (!mailto.isEmpty() && !MAILBOX.matcher(mailto).matches()) {
      throw s.bad("sending.unsubscribeMailto", s.raw("sending.unsubscribeMailto"),
          "must be a plain address such as unsubscribe@agency.example (no name, no brackets)");
    }
    return new Sending(mailto);
  }

  private static Delivery delivery(Settings s) {
    List<String> topics = new ArrayList<>();
    var array = s.array("delivery.sesTopicArns");
    for (int i = 0; i < array.size(); i++) {
      String arn = String.valueOf(array.getValue(i));
      if (!arn.matches("arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}")) {
        throw s.bad("delivery.sesTopicArns[" + i + "]", "must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)");
      }
      topics.add(arn);
    }
    String certBase = s.string("delivery.snsCertBase", "");
    if (!certBase.isEmpty() && !certBase.matches("http://(127\\.0\\.0\\.1|localhost):[0-9]{1,5}")) {
      throw s.bad("delivery.snsCertBase", s.raw("delivery.snsCertBase"),
          "is for tests only and must be a loopback http://127.0.0.1:<port> (leave it empty in production)");
    }
    String publicKey = s.string("delivery.sendgridPublicKey", "");
    if (!publicKey.isEmpty() && !publicKey.matches("[A-Za-z0-9+/=\\s]+")) {
      throw s.bad("delivery.sendgridPublicKey", "must be the base64 verification key SendGrid shows");
    }
    return new Delivery(publicKey.replaceAll("\\s", ""),
        s.string("delivery.mailgunSigningKey", ""),
        s.string("delivery.postmarkUser", ""),
        s.string("delivery.postmarkPassword", ""),
        s.string("delivery.twilioAuthToken", ""),
        List.copyOf(topics), certBase,
        s.integer("delivery.softBounceLimit", 3, 1, 100));
  }

  private static Ops ops(Settings s) {
    List<String> proxies = new ArrayList<>();
    var array = s.array("http.trustedProxies");
    for (int i = 0; i < array.size(); i++) {
      String cidr = String.valueOf(array.getValue(i)).trim();
      if (dev.beacon.http.ClientAddress.cidr(cidr) == null) {
        throw s.bad("http.trustedProxies[" + i + "]", s.raw("http.trustedProxies"),
            "must be an IP address or a CIDR such as 10.0.0.0/8 or fd00::/8");
      }
      proxies.add(cidr);
    }
    return new Ops(List.copyOf(proxies),
        s.enumeration("log.format", LogFormat.TEXT, LogFormat.class),
        s.bool("log.access", false),
        s.duration("http.shutdownDelay", java.time.Duration.ofSeconds(5)),
        s.duration("http.shutdownGrace", java.time.Duration.ofSeconds(20)));
  }

  private static Limits limits(Settings s) {
    return new Limits(
        s.integer("limits.tokenRequests", 10, 0, 100_000),
        positive(s, "limits.tokenPeriod", java.time.Duration.ofMinutes(1)),
        s.integer("limits.apiKeyRequests", 200, 0, 1_000_000),
        positive(s, "limits.apiKeyPeriod", java.time.Duration.ofSeconds(1)),
        positive(s, "limits.headerTimeout", java.time.Duration.ofSeconds(10)),
        positive(s, "limits.bodyTimeout", java.time.Duration.ofSeconds(30)));
  }

  private static java.time.Duration positive(Settings s, String key, java.time.Duration def) {
    java.time.Duration d = s.duration(key, def);
    if (d.isZero() || d.isNegative() || d.toSeconds() > 3600) {
      throw s.bad(key, "must be a duration from 1s to 1h");
    }
    return d;
  }

  private static Retention retention(Settings s, Path dataDir) {
    int min = Retention.MIN_RECORD_YEARS;
    int comms = s.integer("retention.communicationsYears", min, 0, 100);
    if (comms < min) {
      throw s.bad("retention.communicationsYears", s.raw("retention.communicationsYears"),
          "must be at least " + min + " (12 CFR 1006.100 keeps records three years after the last activity)");
    }
    int payments = s.integer("retention.paymentsYears", min, 0, 100);
    if (payments < min) {
      throw s.bad("retention.paymentsYears", s.raw("retention.paymentsYears"),
          "must be at least " + min + " (12 CFR 1006.100 keeps records three years after the last activity)");
    }
    java.time.Duration interval = s.duration("retention.interval", java.time.Duration.ofDays(1));
    if (interval.toSeconds() < 1) {
      throw s.bad("retention.interval", s.raw("retention.interval"), "must be at least one second");
    }
    String archiveDir = s.string("retention.archiveDir", "");
    return new Retention(
        s.bool("retention.enabled", true),
        s.integer("retention.emailEventsMonths", 25, 1, 1200),
        s.integer("retention.pageViewsMonths", 25, 1, 1200),
        comms, payments,
        archiveDir.isEmpty() ? dataDir.resolve("archive") : Path.of(archiveDir),
        interval);
  }

  private static Tracking tracking(Settings s) {
    List<String> cidrs = new ArrayList<>();
    s.array("tracking.scannerCidrs").forEach(c -> cidrs.add(String.valueOf(c)));
    return new Tracking(
        s.string("tracking.linkSecret", ""),
        s.enumeration("tracking.ipStorage", IpStorage.TRUNCATED, IpStorage.class),
        s.integer("tracking.queueCapacity", 10_000, 1, 10_000_000),
        s.integer("tracking.batchMax", 500, 1, 10_000),
        flushSlots(s.integer("tracking.flushSlots", 0, 0, 1024)),
        s.duration("tracking.sendWindow", java.time.Duration.ofSeconds(5)),
        List.copyOf(cidrs),
        s.integer("tracking.enrichBatch", 5_000, 1, 100_000),
        s.duration("tracking.enrichInterval", java.time.Duration.ofMillis(100)),
        s.integer("tracking.journalBacklogMax", 1_000_000, 1, 1_000_000_000));
  }

  /** 0 (the default): half the processors, at least one. */
  private static int flushSlots(int configured) {
    return configured > 0 ? configured : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  /**
   * Currencies whose Stripe amounts are not hundredths: zero-decimal ones (1 = one yen) and three-decimal ones
   * (1 = one fils). Beacon sends amounts times 100, so these would charge 100 or 10 times too much or too little.
   */
  static final java.util.Set<String> NOT_TWO_DECIMAL_CURRENCIES = java.util.Set.of(
      "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof",
      "xpf", "bhd", "jod", "kwd", "omr", "tnd");

  private static Payments payments(Settings s) {
    java.math.BigDecimal minPartial;
    try {
      minPartial = dev.beacon.core.Money.parse(s.string("payments.minPartial", "25.00"));
    } catch (IllegalArgumentException e) {
      throw s.bad("payments.minPartial", s.raw("payments.minPartial"), e.getMessage());
    }
    int planMin = s.integer("payments.planMinInstallments", 2, 2, 60);
    int planMax = s.integer("payments.planMaxInstallments", 12, 2, 60);
    if (planMax < planMin) {
      throw s.bad("payments.planMaxInstallments", "must not be below payments.planMinInstallments");
    }
    String currency = s.string("payments.currency", "usd").toLowerCase(Locale.ROOT);
    if (!currency.matches("[a-z]{3}")) {
      throw s.bad("payments.currency", s.raw("payments.currency"), "must be a three-letter ISO currency code");
    }
    if (NOT_TWO_DECIMAL_CURRENCIES.contains(currency)) {
      throw s.bad("payments.currency", s.raw("payments.currency"),
          "must be a currency Stripe counts in hundredths (Beacon sends amounts as cents)");
    }
    return new Payments(
        s.string("payments.stripeApiKey", ""),
        s.string("payments.stripeWebhookSecret", ""),
        s.url("payments.stripeApiBase", "https://api.stripe.com"),
        currency, minPartial, planMin, planMax,
        s.duration("payments.stripeTimeout", java.time.Duration.ofSeconds(10)),
        s.durations("payments.planRetrySchedule", "1d,3d,7d"),
        s.duration("payments.planJobInterval", java.time.Duration.ofMinutes(15)));
  }

  private static String readUrl(Settings s) {
    String url = s.string("db.readUrl", "");
    if (!url.isEmpty() && !url.matches("(jdbc:)?postgres(ql)?://.+")) {
      throw s.bad("db.readUrl", s.raw("db.readUrl"), "must look like postgresql://user:password@replica:5432/database");
    }
    return url.startsWith("jdbc:") ? url.substring(5) : url;
  }

  private static Scoring scoring(Settings s) {
    java.time.Duration interval = s.duration("scoring.interval", java.time.Duration.ofMinutes(5));
    if (interval.toMillis() < 10) {
      throw s.bad("scoring.interval", s.raw("scoring.interval"), "must be at least 10ms");
    }
    String model = s.string("scoring.model", "v1");
    if (!model.matches("v[0-9]{1,9}")) {
      throw s.bad("scoring.model", s.raw("scoring.model"), "must be a model version such as v1");
    }
    return new Scoring(interval, model, s.integer("scoring.chunkSize", 5000, 1, 100_000));
  }

  private static List<ApiKey> apiKeys(Settings s) {
    List<ApiKey> keys = new ArrayList<>();
    var array = s.array("auth.keys");
    for (int i = 0; i < array.size(); i++) {
      String at = "auth.keys[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject k)) {
        throw s.bad(at, "must be an object {name, role, sha256}");
      }
      String role = k.getString("role", "");
      Role r;
      try {
        r = Role.valueOf(role.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw s.bad(at + ".role", "must be agent, viewer or ops");
      }
      String hash = k.getString("sha256", "").toLowerCase(Locale.ROOT);
      if (!SHA256_HEX.matcher(hash).matches()) {
        throw s.bad(at + ".sha256", "must be the 64 hex digits of the key's SHA-256 (never the key itself)");
      }
      keys.add(new ApiKey(k.getString("name", "key" + i), r, hash));
    }
    return List.copyOf(keys);
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
        t.batchMax(), t.flushSlots(), t.sendWindow(), t.scannerCidrs(), t.enrichBatch(), t.enrichInterval(),
        t.journalBacklogMax()), payments, retention, scoring, sending, delivery, ops, limits);
  }

  /** Convenience for tests and tools: a config from a file-shaped JSON object alone. */
  public static BeaconConfig of(JsonObject file) {
    return load(new ConfigSource(file, Map.of(), Map.of()));
  }
}
