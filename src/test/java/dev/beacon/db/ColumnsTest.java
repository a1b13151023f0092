package dev.beacon.db;

import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ColumnsTest {
  record Row(short kind, String name) {}

  @Test
  void add_makesOneArrayOfTheGivenTypePerColumn_inTheRowsOrder_withValuesWhereTheyWereAdded() {
    Tuple t = Columns.of(List.of(new Row((short) 1, "a"), new Row((short) 2, null)))
        .add(Short.class, Row::kind)
        .value(7)
        .add(String.class, Row::name)
        .tuple();

    assertThat(t.size()).isEqualTo(3);
    assertThat(t.getValue(0)).isExactlyInstanceOf(Short[].class).isEqualTo(new Short[] {1, 2});
    assertThat(t.getValue(1)).isEqualTo(7);
    assertThat(t.getValue(2)).isExactlyInstanceOf(String[].class).isEqualTo(new String[] {"a", null});
  }

  @Test
  void of_withATuple_appendsAfterTheParametersItHolds() {
    Tuple t = Columns.of(List.of(new Row((short) 3, "c")), Tuple.of("first")).add(String.class, Row::name).tuple();

    assertThat(t.getValue(0)).isEqualTo("first");
    assertThat(t.getValue(1)).isEqualTo(new String[] {"c"});
  }

  @Test
  void add_onNoRows_givesAnEmptyArray() {
    Tuple t = Columns.of(List.<Row>of()).add(String.class, Row::name).tuple();

    assertThat(t.getValue(0)).isEqualTo(new String[0]);
  }
}
