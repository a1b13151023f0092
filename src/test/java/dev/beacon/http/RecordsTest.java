package dev.beacon.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecordsTest {
  /** What a splitter emitted: "line:text" for records, "line!" for a record over the cap. */
  private static List<String> split(boolean csv, int max, String... chunks) {
    List<String> out = new ArrayList<>();
    Records r = new Records(csv, max, true, new Records.Sink() {
      @Override
      public void record(long line, byte[] bytes, int length) {
        out.add(line + ":" + new String(bytes, 0, length, StandardCharsets.UTF_8));
      }

      @Override
      public void tooLong(long line, boolean quoted) {
        out.add(line + (quoted ? "!\"" : "!"));
      }
    });
    for (String c : chunks) {
      r.feed(c.getBytes(StandardCharsets.UTF_8));
    }
    r.end();
    return out;
  }

  @Test
  void everyLineEnd_andAByteOrderMark() {
    assertThat(split(true, 100, "\uFEFFa,b\r\nc\rd\ne")).containsExactly("1:a,b", "2:c", "3:d", "4:e");
    assertThat(split(false, 100, "x\r", "\ny\n", "\n")).containsExactly("1:x", "2:y", "3:");
  }

  @Test
  void aQuotedFieldKeepsItsLineBreaks_andTheNextRecordKnowsItsLine() {
    assertThat(split(true, 100, "1,\"a\r\nb\",2\n3\n")).containsExactly("1:1,\"a\r\nb\",2", "3:3");
    assertThat(split(true, 100, "\"say \"\"hi\"\"\nthere\"\nz")).containsExactly("1:\"say \"\"hi\"\"\nthere\"", "3:z");
  }

  @Test
  void anUnbalancedQuote_costsItsOwnLineOnly_overTheCapOrAtTheEnd() {
    StringBuilder b = new StringBuilder("h\nx,\"open\n");
    for (int i = 3; i <= 40; i++) {
      b.append("row").append(i).append('\n');
    }
    List<String> capped = split(true, 64, b.toString());
    assertThat(capped).startsWith("1:h", "2!\"", "3:row3").endsWith("40:row40").hasSize(40);
    assertThat(split(true, 1000, "h\nx,\"open\na\nb")).containsExactly("1:h", "2!\"", "3:a", "4:b");
  }

  @Test
  void aLineOverTheCap_isReportedOnce_andReadingGoesOnAfterIt() {
    assertThat(split(false, 8, "ok\n0123456789", "abcdef\nnext\n")).containsExactly("1:ok", "2!", "3:next");
  }

  @Test
  void aBomPrefixThatIsNotABom_isKept() {
    assertThat(split(false, 100, "\u00EFx")).containsExactly("1:\u00EFx");
  }
}
