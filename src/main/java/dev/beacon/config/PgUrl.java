package dev.beacon.config;

import io.vertx.pgclient.PgConnectOptions;

import java.util.regex.Pattern;

/**
 * A PostgreSQL connection URL, parsed in one place: read from configuration in libpq form
 * ({@code postgresql://user:password@host:5432/database}, also {@code postgres://} or with JDBC's {@code jdbc:}
 * prefix), and printed for the pool (libpq form, {@link #toString()}) and for Flyway ({@link #jdbc}).
 */
public record PgUrl(String libpq) {
  private static final Pattern SHAPE = Pattern.compile("postgres(ql)?://.+");

  /** Parses {@code text}; throws IllegalArgumentException when it is not a PostgreSQL URL. */
  public static PgUrl parse(String text) {
    String url = text.startsWith("jdbc:") ? text.substring("jdbc:".length()) : text;
    if (!SHAPE.matcher(url).matches()) {
      throw new IllegalArgumentException("not a postgresql:// URL");
    }
    try {
      PgConnectOptions.fromUri(url);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a valid PostgreSQL URL", e);
    }
    return new PgUrl(url);
  }

  /** A URL without password (trust authentication, as the embedded server uses). */
  public static PgUrl of(String host, int port, String database, String user) {
    return new PgUrl("postgresql://" + user + "@" + host + ":" + port + "/" + database);
  }

  /** The connection options the URL names (a new object each time: callers add to it). */
  public PgConnectOptions options() {
    return PgConnectOptions.fromUri(libpq);
  }

  /** The JDBC URL of the same server and database (Flyway is the only JDBC user). */
  public static String jdbc(PgConnectOptions o) {
    return "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
  }

  /** The libpq form (it may hold a password: never log it). */
  @Override
  public String toString() {
    return libpq;
  }
}
