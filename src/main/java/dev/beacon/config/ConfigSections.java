package dev.beacon.config;

import dev.beacon.config.BeaconConfig.ApiKey;
import dev.beacon.config.BeaconConfig.Db;
import dev.beacon.config.BeaconConfig.Delivery;
import dev.beacon.config.BeaconConfig.Http;
import dev.beacon.config.BeaconConfig.IpStorage;
import dev.beacon.config.BeaconConfig.Limits;
import dev.beacon.config.BeaconConfig.LogFormat;
import dev.beacon.config.BeaconConfig.Ops;
import dev.beacon.config.BeaconConfig.Payments;
import dev.beacon.config.BeaconConfig.Retention;
import dev.beacon.config.BeaconConfig.Role;
import dev.beacon.config.BeaconConfig.Scoring;
import dev.beacon.config.BeaconConfig.Sending;
import dev.beacon.config.BeaconConfig.Tracking;
import dev.beacon.core.Money;
import dev.beacon.http.ClientAddress;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The parsing and validation of each section of {@link BeaconConfig}, one method per record: every default is
 * written here, next to the key it is the default of (docs/configuration.md lists them, and a test checks it).
 */
final class ConfigSections {
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  private ConfigSections() {}

  static Http http(Settings s) {
    int instances = s.integer("http.instances", 0, 0, 256);
    return new Http(
        s.string("http.host", "0.0.0.0"),
        s.integer("http.port", 8080, 0, 65535),
        instances == 0 ? Runtime.getRuntime().availableProcessors() : instances,
        s.url("http.publicUrl", ""),
        s.integer("http.bodyLimit", 65536, 1024, 16 * 1024 * 1024),
        s.integer("http.importLimitMb", 512, 1, 16384));
  }

  static Db db(Settings s, Path dataDir) {
    return new Db(
        dbUrl(s, "db.url", "host"),
        s.string("db.user", ""),
        s.string("db.password", ""),
        s.integer("db.poolSize", 16, 1, 512),
        Path.of(s.string("db.embeddedDir", dataDir.resolve("pg").toString())),
        s.integer("db.embeddedPort", 0, 0, 65535),
        dbUrl(s, "db.readUrl", "replica"));
  }

  private static final Pattern MAILBOX = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?");

  static Sending sending(Settings s) {
    String mailto = s.string("sending.unsubscribeMailto", "");
    if (!mailto.isEmpty() && !MAILBOX.matcher(mailto).matches()) {
      throw s.bad("sending.unsubscribeMailto", s.raw("sending.unsubscribeMailto"),
          "must be a plain address such as unsubscribe@agency.example (no name, no brackets)");
    }
    return new Sending(mailto);
  }

  static Delivery delivery(Settings s) {
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

  static Ops ops(Settings s) {
    List<String> proxies = new ArrayList<>();
    var array = s.array("http.trustedProxies");
    for (int i = 0; i < array.size(); i++) {
      String cidr = String.valueOf(array.getValue(i)).trim();
      if (ClientAddress.cidr(cidr) == null) {
        throw s.bad("http.trustedProxies[" + i + "]", s.raw("http.trustedProxies"),
            "must be an IP address or a CIDR such as 10.0.0.0/8 or fd00::/8");
      }
      proxies.add(cidr);
    }
    return new Ops(List.copyOf(proxies),
        s.enumeration("log.format", LogFormat.TEXT, LogFormat.class),
        s.bool("log.access", false),
        s.duration("http.shutdownDelay", Duration.ofSeconds(5)),
        s.duration("http.shutdownGrace", Duration.ofSeconds(20)));
  }

  static Limits limits(Settings s) {
    return new Limits(
        s.integer("limits.tokenRequests", 10, 0, 100_000),
        positive(s, "limits.tokenPeriod", Duration.ofMinutes(1)),
        s.integer("limits.apiKeyRequests", 200, 0, 1_000_000),
        positive(s, "limits.apiKeyPeriod", Duration.ofSeconds(1)),
        positive(s, "limits.headerTimeout", Duration.ofSeconds(10)),
        positive(s, "limits.bodyTimeout", Duration.ofSeconds(30)));
  }

  private static Duration positive(Settings s, String key, Duration def) {
    Duration d = s.duration(key, def);
    if (d.isZero() || d.isNegative() || d.toSeconds() > 3600) {
      throw s.bad(key, "must be a duration from 1s to 1h");
    }
    return d;
  }

  static Retention retention(Settings s, Path dataDir) {
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
    Duration interval = s.duration("retention.interval", Duration.ofDays(1));
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

  static Tracking tracking(Settings s) {
    List<String> cidrs = new ArrayList<>();
    s.array("tracking.scannerCidrs").forEach(c -> cidrs.add(String.valueOf(c)));
    return new Tracking(
        s.string("tracking.linkSecret", ""),
        s.enumeration("tracking.ipStorage", IpStorage.TRUNCATED, IpStorage.class),
        s.integer("tracking.queueCapacity", 10_000, 1, 10_000_000),
        s.integer("tracking.batchMax", 500, 1, 10_000),
        flushSlots(s.integer("tracking.flushSlots", 0, 0, 1024)),
        s.duration("tracking.flushHedge", Duration.ofMillis(2)),
        s.duration("tracking.sendWindow", Duration.ofSeconds(5)),
        List.copyOf(cidrs),
        s.integer("tracking.enrichBatch", 5_000, 1, 100_000),
        s.duration("tracking.enrichInterval", Duration.ofMillis(100)),
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
  static final Set<String> NOT_TWO_DECIMAL_CURRENCIES = Set.of(
      "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof",
      "xpf", "bhd", "jod", "kwd", "omr", "tnd");

  static Payments payments(Settings s) {
    BigDecimal minPartial;
    try {
      minPartial = Money.parse(s.string("payments.minPartial", "25.00"));
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
        s.duration("payments.stripeTimeout", Duration.ofSeconds(10)),
        s.durations("payments.planRetrySchedule", "1d,3d,7d"),
        s.duration("payments.planJobInterval", Duration.ofMinutes(15)));
  }

  /** A database URL in libpq form ({@link PgUrl}), or empty when not set. */
  private static String dbUrl(Settings s, String key, String exampleHost) {
    String url = s.string(key, "");
    if (url.isEmpty()) {
      return url;
    }
    try {
      return PgUrl.parse(url).toString();
    } catch (IllegalArgumentException e) {
      throw s.bad(key, s.raw(key), "must look like postgresql://user:password@" + exampleHost + ":5432/database");
    }
  }

  static Scoring scoring(Settings s) {
    Duration interval = s.duration("scoring.interval", Duration.ofMinutes(5));
    if (interval.toMillis() < 10) {
      throw s.bad("scoring.interval", s.raw("scoring.interval"), "must be at least 10ms");
    }
    String model = s.string("scoring.model", "v1");
    if (!model.matches("v[0-9]{1,9}")) {
      throw s.bad("scoring.model", s.raw("scoring.model"), "must be a model version such as v1");
    }
    return new Scoring(interval, model, s.integer("scoring.chunkSize", 5000, 1, 100_000));
  }

  static List<ApiKey> apiKeys(Settings s) {
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
}
