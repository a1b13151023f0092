package dev.beacon.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps docs/configuration.md honest: every key {@link BeaconConfig} reads is documented once, with its
 * environment variable, and the documented default is the one the code applies.
 */
class ConfigurationDocTest {

  private static final Path DOC = Path.of("docs/configuration.md");
  /** A table row: | `key` | `BEACON_VARIABLE` | default | meaning |. */
  private static final Pattern ROW = Pattern.compile("^\\|\\s*`([A-Za-z.]+)`\\s*\\|\\s*`([A-Z0-9_]+)`\\s*\\|([^|]*)\\|.*\\|\\s*$");
  private static final Pattern CODE = Pattern.compile("`([^`]*)`");

  private record Row(String key, String variable, String defaultCell) {}

  private static final List<Row> rows = new ArrayList<>();

  @BeforeAll
  static void readTable() throws IOException {
    for (String line : Files.readAllLines(DOC)) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        rows.add(new Row(m.group(1), m.group(2), m.group(3).trim()));
      }
    }
  }

  @Test
  void everyKeyIsDocumentedOnce_andNothingElse() {
    List<String> documented = rows.stream().map(Row::key).toList();
    assertThat(documented).as("keys in %s", DOC).doesNotHaveDuplicates();
    assertThat(documented).as("keys in %s against BeaconConfig.KEYS", DOC)
        .containsExactlyInAnyOrderElementsOf(BeaconConfig.KEYS);
  }

  @Test
  void keysListsEveryKeyTheParsingReads() {
    // ConfigSource asks the environment for every key it is asked for; a key read but missing from KEYS could
    // not be set from the environment or a -D property (Beacon passes only KEYS' variables and properties).
    Set<String> asked = new HashSet<>();
    Map<String, String> recordingEnv = new HashMap<>() {
      @Override
      public String get(Object key) {
        asked.add((String) key);
        return null;
      }
    };
    BeaconConfig.load(new ConfigSource(new JsonObject(), recordingEnv, Map.of()));
    // Each variable is also looked up as <VARIABLE>_FILE (a secret from a file): those are not keys of their own.
    asked.removeIf(name -> name.endsWith("_FILE"));
    assertThat(asked).containsExactlyInAnyOrderElementsOf(BeaconConfig.KEYS.stream().map(ConfigSource::envName).toList());
  }

  @Test
  void everyDocumentedVariableIsTheOneBeaconReads() {
    assertThat(rows).isNotEmpty();
    for (Row r : rows) {
      assertThat(r.variable()).as("variable of %s", r.key()).isEqualTo(ConfigSource.envName(r.key()));
    }
  }

  @Test
  void everyDocumentedDefaultIsTheRealDefault() {
    BeaconConfig defaults = BeaconConfig.load(new ConfigSource(new JsonObject(), Map.of(), Map.of()));
    for (Row r : rows) {
      String value = documentedDefault(r);
      BeaconConfig withDocumented = BeaconConfig.load(new ConfigSource(new JsonObject(), Map.of(), Map.of(r.key(), value)));
      assertThat(withDocumented).as("%s set to its documented default \"%s\"", r.key(), value).isEqualTo(defaults);
    }
    // The comparison sees a one-key difference, so a wrong documented default would fail above.
    assertThat(BeaconConfig.load(new ConfigSource(new JsonObject(), Map.of(), Map.of("http.port", "8081"))))
        .isNotEqualTo(defaults);
  }

  @Test
  void confConfigJsonHoldsTheSameDefaults() throws IOException {
    BeaconConfig defaults = BeaconConfig.load(new ConfigSource(new JsonObject(), Map.of(), Map.of()));
    JsonObject file = new JsonObject(Files.readString(Path.of("conf/config.json")));
    assertThat(BeaconConfig.load(new ConfigSource(file, Map.of(), Map.of()))).isEqualTo(defaults);
  }

  /** "empty ..." is the empty string; otherwise the first code span of the cell. */
  private static String documentedDefault(Row r) {
    if (r.defaultCell().startsWith("empty")) {
      return "";
    }
    Matcher m = CODE.matcher(r.defaultCell());
    assertThat(m.find()).as("default of %s must start with `value` or \"empty\": %s", r.key(), r.defaultCell()).isTrue();
    return m.group(1);
  }

  @Test
  void tableRowsAreFound() {
    Map<String, String> byKey = new LinkedHashMap<>();
    rows.forEach(r -> byKey.put(r.key(), r.defaultCell()));
    assertThat(byKey).containsEntry("http.port", "`8080`").containsKey("scoring.chunkSize");
  }
}
