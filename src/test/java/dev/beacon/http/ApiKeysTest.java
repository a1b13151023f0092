package dev.beacon.http;

import dev.beacon.config.BeaconConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeysTest {

  @Test
  void firstRun_printsKeysOnce_andStoresOnlyHashes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("api-keys.json");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ApiKeys keys = ApiKeys.loadOrCreate(List.of(), file, new PrintStream(out, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("agent key: (\\S+)").matcher(printed);
    assertThat(m.find()).isTrue();
    String agent = m.group(1);
    assertThat(keys.find(agent)).get().extracting(BeaconConfig.ApiKey::role).isEqualTo(BeaconConfig.Role.AGENT);
    String stored = Files.readString(file);
    assertThat(stored).doesNotContain(agent).contains(ApiKeys.sha256(agent));

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    ApiKeys again = ApiKeys.loadOrCreate(List.of(), file, new PrintStream(second, true, StandardCharsets.UTF_8));
    assertThat(second.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(again.find(agent)).isPresent();
    assertThat(again.find("bk_agent_wrong")).isEmpty();
  }

  @Test
  void configuredKeys_winOverTheFile(@TempDir Path dir) throws Exception {
    var configured = List.of(new BeaconConfig.ApiKey("v", BeaconConfig.Role.VIEWER, ApiKeys.sha256("k")));
    ApiKeys keys = ApiKeys.loadOrCreate(configured, dir.resolve("none.json"), System.out);
    assertThat(keys.find("k")).get().extracting(BeaconConfig.ApiKey::role).isEqualTo(BeaconConfig.Role.VIEWER);
    assertThat(Files.exists(dir.resolve("none.json"))).isFalse();
  }
}
