package dev.beacon.http;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

/**
 * Whether this process is shutting down. Set first thing on SIGTERM: readiness then answers 503 (so a load
 * balancer or Kubernetes takes the instance out of rotation) and every response says {@code Connection: close},
 * while the server still serves for {@code http.shutdownDelay} before it stops accepting.
 */
public final class Drain implements Shareable {
  private static final String MAP = "beacon.ops";
  private static final String KEY = "drain";
  private volatile boolean active;

  private Drain() {}

  /** The one flag of a Vert.x instance. */
  public static Drain of(Vertx vertx) {
    return (Drain) vertx.sharedData().getLocalMap(MAP).computeIfAbsent(KEY, k -> new Drain());
  }

  public void begin() {
    active = true;
  }

  public boolean active() {
    return active;
  }
}
