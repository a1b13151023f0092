package dev.beacon.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps docs/architecture.md honest: shared layers import no feature, and no feature imports the root. */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java/dev/beacon");
  /** The shared layers of docs/architecture.md. */
  static final Set<String> SHARED = Set.of("config", "db", "http", "core", "metrics", "jobs");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.beacon\\.([a-z]+)[.;]", Pattern.MULTILINE);

  /** Every {@code import dev.beacon.<package>} in a file, as {@code file -> package}. */
  private static List<String[]> imports(Path dir) throws IOException {
    List<String[]> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = IMPORT.matcher(Files.readString(f));
        while (m.find()) {
          out.add(new String[] {MAIN.relativize(f).toString(), m.group(1)});
        }
      }
    }
    return out;
  }

  @Test
  void sharedLayersImportNoFeature() throws IOException {
    List<String> violations = new ArrayList<>();
    for (String layer : SHARED) {
      for (String[] i : imports(MAIN.resolve(layer))) {
        if (!SHARED.contains(i[1])) {
          violations.add(i[0] + " imports dev.beacon." + i[1]);
        }
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void featuresDoNotImportTheCompositionRoot() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(MAIN)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        String pkg = d.getFileName().toString();
        if (pkg.equals("app")) {
          continue;
        }
        for (String[] i : imports(d)) {
          if (i[1].equals("app")) {
            violations.add(i[0] + " imports dev.beacon.app");
          }
        }
        for (Path f : Files.walk(d).filter(p -> p.toString().endsWith(".java")).toList()) {
          if (Pattern.compile("^import dev\\.beacon\\.Beacon;", Pattern.MULTILINE).matcher(Files.readString(f)).find()) {
            violations.add(MAIN.relativize(f) + " imports dev.beacon.Beacon");
          }
        }
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void theCheckSeesAViolation() {
    Matcher m = IMPORT.matcher("import dev.beacon.tracking.Classifier;\nimport static dev.beacon.core.Money.parse;\n");
    List<String> found = new ArrayList<>();
    while (m.find()) {
      found.add(m.group(1));
    }
    assertThat(found).containsExactly("tracking", "core");
  }

  /**
   * Vert.x's internals only where Vert.x leaves no public way: RequestLog.Local registers a context local as a
   * VertxServiceProvider, whose one method takes io.vertx.core.internal.VertxBootstrap (docs/architecture.md).
   */
  @Test
  void onlyTheContextLocalProviderNamesVertxInternals() throws IOException {
    List<String> users = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (Files.readString(f).contains("io.vertx.core.internal")) {
          users.add(MAIN.relativize(f).toString());
        }
      }
    }
    assertThat(users).containsExactly("http/RequestLog.java");
  }
}
