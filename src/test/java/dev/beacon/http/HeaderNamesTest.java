package dev.beacon.http;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** One header-name style in main code: Vert.x's {@code HttpHeaders} constants, else {@link Headers}; no literals. */
class HeaderNamesTest {
  private static final Path MAIN = Path.of("src/main/java/dev/beacon");
  /** A header name written as a literal where a header is read or written, Netty's names, or a name built elsewhere. */
  private static final Pattern LITERAL = Pattern.compile(
      "(?:putHeader|getHeader)\\(\"[A-Za-z][A-Za-z-]*\"|Map\\.of\\(\"[A-Z][A-Za-z]*(?:-[A-Za-z]+)+\""
          + "|HttpHeaderNames\\.|createOptimized\\(\"[A-Z]");

  @Test
  void noHeaderNameIsWrittenAsALiteral() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("Headers.java")).toList()) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = LITERAL.matcher(lines.get(i));
          if (m.find()) {
            found.add(MAIN.relativize(f) + ":" + (i + 1) + ": " + m.group());
          }
        }
      }
    }
    assertThat(found).isEmpty();
  }

  @Test
  void theCheckRecognisesALiteral() {
    assertThat(LITERAL.matcher("ctx.response().putHeader(\"Retry-After\", \"5\")").find()).isTrue();
    assertThat(LITERAL.matcher("Map.of(\"WWW-Authenticate\", \"Bearer\")").find()).isTrue();
    assertThat(LITERAL.matcher("putHeader(HttpHeaders.RETRY_AFTER, \"5\")").find()).isFalse();
  }
}
