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

  /** SQLSTATE classes of errors in the data itself: invalid values, violated constraints. */
  public static final String DATA_EXCEPTION_CLASS = "22";
  public static final String INTEGRITY_CONSTRAINT_CLASS = "23";

  /** SQLSTATE classes that mean the database cannot serve now: connection exceptions, operator intervention. */
  public static final String CONNECTION_EXCEPTION_CLASS = "08";
  public static final String OPERATOR_INTERVENTION_CLASS = "57P";
  public static final String TOO_MANY_CONNECTIONS = "53300";
  public static final String CANNOT_CONNECT_NOW = "57P03";

  private PgErrors() {}

  /** Whether this SQLSTATE says the database is down or refusing connections (a 503, retry later). */
  public static boolean meansDatabaseDown(String sqlState) {
    return sqlState != null && (sqlState.startsWith(CONNECTION_EXCEPTION_CLASS)
        || sqlState.startsWith(OPERATOR_INTERVENTION_CLASS) || sqlState.equals(TOO_MANY_CONNECTIONS));
  }

  public static boolean is(Throwable t, String sqlState) {
    return t instanceof PgException pg && sqlState.equals(pg.getSqlState());
  }

  /** The constraint a violation names, or an empty string. */
  public static String constraint(Throwable t) {
    return t instanceof PgException pg && pg.getConstraint() != null ? pg.getConstraint() : "";
  }
}
