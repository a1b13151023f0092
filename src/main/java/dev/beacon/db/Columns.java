package dev.beacon.db;

import io.vertx.sqlclient.Tuple;

import java.lang.reflect.Array;
import java.util.List;
import java.util.function.Function;

/**
 * The parameters of a set-based write ({@code INSERT ... SELECT ... FROM unnest($1::uuid[], $2::text[], ...)}) built
 * column by column from a list of rows: each {@link #add} makes one array, of the element type given, holding one
 * value per row in the rows' order. The element type is the array's own ({@code Short.class} gives a
 * {@code Short[]}, which the client sends as {@code smallint[]}), so each column keeps the type its SQL cast
 * expects.
 *
 * <pre>{@code
 * Tuple t = Columns.of(views)
 *     .add(UUID.class, View::id)
 *     .add(String.class, View::userAgent)
 *     .value(Classifier.SCANNER_FOLLOW_SECONDS)
 *     .tuple();
 * }</pre>
 *
 * @param <T> the type of a row
 */
public final class Columns<T> {
  private final List<? extends T> rows;
  private final Tuple tuple;

  private Columns(List<? extends T> rows, Tuple tuple) {
    this.rows = rows;
    this.tuple = tuple;
  }

  /** Columns of {@code rows}, as the parameters of a new tuple. */
  public static <T> Columns<T> of(List<? extends T> rows) {
    return new Columns<>(rows, Tuple.tuple());
  }

  /** Columns of {@code rows}, appended to the parameters {@code tuple} already holds. */
  public static <T> Columns<T> of(List<? extends T> rows, Tuple tuple) {
    return new Columns<>(rows, tuple);
  }

  /** The next parameter: an array of {@code type} with {@code column}'s value for each row. */
  public <C> Columns<T> add(Class<C> type, Function<? super T, ? extends C> column) {
    @SuppressWarnings("unchecked")
    C[] values = (C[]) Array.newInstance(type, rows.size());
    for (int i = 0; i < values.length; i++) {
      values[i] = column.apply(rows.get(i));
    }
    tuple.addValue(values);
    return this;
  }

  /** The next parameter: one value, the same for every row. */
  public Columns<T> value(Object value) {
    tuple.addValue(value);
    return this;
  }

  /** The parameters, in the order they were added. */
  public Tuple tuple() {
    return tuple;
  }
}
