package dev.beacon.db;

import io.vertx.pgclient.PgException;

/** SQLSTATE codes Beacon reacts to (read with {@code getSqlState()}). */
public final class PgErrors {
  public static final String UNIQUE_VIOLATION = "23505";
  public static final String FOREIGN_KEY_VIOLATION = "23503";
  public static final String CHECK_VIOLATION = "23514";
  public static final String NOT_NULL_VIOLATION = "23502";
  public static final String INVALID_TEXT_REPRESENTATION = "22P02";
  public static final String RAISE_EXCEPTION = "P0001";
  public static final String DEADLOCK = "40P01";
  public static final String SERIALIZATION_FAILURE = "40001";

  private PgErrors() {}

  public static boolean is(Throwable t, String sqlState) {
    return t instanceof PgException pg && sqlState.equals(pg.getSqlState());
  }

  /** The constraint a violation names, or an empty string. */
  public static String constraint(Throwable t) {
    return t instanceof PgException pg && pg.getConstraint() != null ? pg.getConstraint() : "";
  }
}
