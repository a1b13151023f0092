package dev.beacon.db;

import java.util.Collection;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Enumeration values written into SQL constants as string literals ({@code status IN ('active', 'resolved')}), so
 * the SQL names the same values as the Java enums that define them. Only plain lower-case words are accepted:
 * this is for the code's own constants, never for input (input always travels as a parameter).
 */
public final class SqlLiterals {
  private static final Pattern WORD = Pattern.compile("[a-z][a-z_]*");

  private SqlLiterals() {}

  /** {@code 'value'}. */
  public static String of(String value) {
    if (!WORD.matcher(value).matches()) {
      throw new IllegalArgumentException("Not an enumeration value: " + value);
    }
    return "'" + value + "'";
  }

  /** {@code 'a', 'b'}: for an {@code IN (...)} list. */
  public static String list(Collection<String> values) {
    return values.stream().map(SqlLiterals::of).collect(Collectors.joining(", "));
  }
}
