package dev.beacon.http;

import dev.beacon.config.BeaconConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rate limits where a request costs money or changes consent: per debtor token on checkout creation and the
 * opt-out and one-click posts, per API key on {@code /api}. Resilience4j's lock-free {@link AtomicRateLimiter}
 * does the counting (a fixed number of permits per period). The composition root builds one instance per process,
 * shared by every HTTP verticle instance: N Beacon processes behind a load balancer allow N times the configured
 * rate. The pixel and beacons are not limited here; they shed by their writer's queue.
 */
public final class RateLimits {
  /** Limiters fully refilled hold nothing a new one would not: past this many, those are dropped. */
  static final int SWEEP_ABOVE = 10_000;

  private final Bucket tokens;
  private final Bucket apiKeys;

  public RateLimits(BeaconConfig.Limits limits) {
    this.tokens = limits.tokenRequests() == 0 ? null
        : new Bucket("token", limits.tokenRequests(), limits.tokenPeriod());
    this.apiKeys = limits.apiKeyRequests() == 0 ? null
        : new Bucket("apiKey", limits.apiKeyRequests(), limits.apiKeyPeriod());
  }

  /**
   * Takes a permit for this debtor token; throws a 429 problem (with {@code Retry-After}) when it has none left.
   * Callers answering a person's form catch it and render a page with the same status and header.
   */
  public void token(String token) {
    if (tokens != null) {
      tokens.take(token);
    }
  }

  /** For {@code /api/*} after authentication: a permit for the key that authenticated the request. */
  public Handler<RoutingContext> perApiKey() {
    return ctx -> {
      BeaconConfig.ApiKey key = ctx.get(Auth.KEY);
      if (apiKeys != null && key != null) {
        apiKeys.take(key.sha256());
      }
      ctx.next();
    };
  }

  /** The limiters of one kind, one per key, created on first use. */
  private static final class Bucket {
    private final String name;
    private final RateLimiterConfig config;
    private final Map<String, AtomicRateLimiter> limiters = new ConcurrentHashMap<>();
    private final AtomicInteger created = new AtomicInteger();

    Bucket(String name, int permits, Duration period) {
      this.name = name;
      this.config = RateLimiterConfig.custom().limitForPeriod(permits).limitRefreshPeriod(period)
          .timeoutDuration(Duration.ZERO).build();
    }

    void take(String key) {
      AtomicRateLimiter limiter = limiters.computeIfAbsent(key, k -> {
        if (created.incrementAndGet() % 1000 == 0 && limiters.size() > SWEEP_ABOVE) {
          sweep();
        }
        return new AtomicRateLimiter(name, config);
      });
      if (!limiter.acquirePermission()) {
        long nanos = limiter.getDetailedMetrics().getNanosToWait();
        long seconds = Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
        throw Problem.tooManyRequests((int) Math.min(seconds, Integer.MAX_VALUE));
      }
    }

    private void sweep() {
      limiters.values().removeIf(l -> l.getDetailedMetrics().getAvailablePermissions() >= config.getLimitForPeriod()
          && l.getDetailedMetrics().getNanosToWait() == 0);
    }
  }

  /** Exposed for tests: how many limiters of each kind exist. */
  int size() {
    return (tokens == null ? 0 : tokens.limiters.size()) + (apiKeys == null ? 0 : apiKeys.limiters.size());
  }
}
