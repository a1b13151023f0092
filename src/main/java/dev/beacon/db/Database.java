package dev.beacon.db;

import dev.beacon.config.BeaconConfig;
import dev.beacon.config.PgUrl;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Connection settings for one PostgreSQL, and the single shared pool built from them. */
public record Database(PgConnectOptions connect) {

  /** From a libpq-style URL ({@link PgUrl}), with optional user and password overriding those in the URL. */
  public static Database of(String url, String user, String password) {
    return of(PgUrl.parse(url), user, password);
  }

  public static Database of(PgUrl url, String user, String password) {
    PgConnectOptions o = url.options();
    if (user != null && !user.isEmpty()) {
      o.setUser(user);
    }
    if (password != null && !password.isEmpty()) {
      o.setPassword(password);
    }
    o.setCachePreparedStatements(true).setPreparedStatementCacheMaxSize(512).setPipeliningLimit(256);
    // Every session works in UTC, whatever the server's or the JVM's zone: month partitions are bounded by
    // date literals, and the migrations (Flyway, which would use the JVM's zone) and the retention job must
    // agree on where a month starts.
    o.addProperty("TimeZone", "UTC");
    return new Database(o);
  }

  public static Database of(BeaconConfig.Db db, String url) {
    return of(url, db.user(), db.password());
  }

  /** The JDBC URL Flyway uses (Flyway is the only JDBC user). */
  public String jdbcUrl() {
    return PgUrl.jdbc(connect);
  }

  public String user() {
    return connect.getUser();
  }

  public String password() {
    return connect.getPassword() == null ? "" : connect.getPassword();
  }

  /** One pool for every verticle instance of the process. */
  public Pool pool(Vertx vertx, int maxSize) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(maxSize).setMaxWaitQueueSize(maxSize * 64).setName("beacon"))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }
}
