package dev.beacon.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Secrets from files, unknown keys refused, the reserved test variables, and `beacon config`'s explanation. */
class ConfigSourcesTest {

  private static BeaconConfig load(JsonObject file, Map<String, String> env) {
    return BeaconConfig.load(new ConfigSource(file, env, Map.of()));
  }

  @Test
  void everySecret_canComeFromAFileNamedBy_FILE_withoutItsTrailingNewline(@TempDir Path dir) throws Exception {
    for (String key : BeaconConfig.SECRETS) {
      String value = key.equals("db.url") || key.equals("db.readUrl") ? "postgresql://u:p@db:5432/beacon"
          : key.equals("auth.keys") ? "[]" : "s3cr3t-" + key;
      Path f = dir.resolve(key);
      Files.writeString(f, value + "\n");
      String var = ConfigSource.envName(key) + ConfigSource.FILE_SUFFIX;
      ConfigSource source = new ConfigSource(new JsonObject(), Map.of(var, f.toString()), Map.of());
      assertThat(source.get(key)).get().extracting(ConfigSource.Value::text).isEqualTo(value);
      assertThat(source.get(key).get().origin()).contains(var);
      BeaconConfig.load(source); // valid as a whole
    }
    Path pw = dir.resolve("pw");
    Files.writeString(pw, "hunter2\r\n");
    assertThat(load(new JsonObject(), Map.of("BEACON_DB_PASSWORD_FILE", pw.toString())).db().password())
        .isEqualTo("hunter2");
  }

  @Test
  void a_FILE_thatCannotBeRead_orSetBesideThePlainVariable_isRefusedNamingTheKey(@TempDir Path dir) {
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("BEACON_DB_PASSWORD_FILE", dir.resolve("none").toString())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("db.password").hasMessageContaining("cannot read");
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("BEACON_DB_PASSWORD_FILE", "/x", "BEACON_DB_PASSWORD", "y")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("set only one");
  }

  @Test
  void _FILE_forASettingThatIsNoSecret_isUnknown() {
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("BEACON_HTTP_PORT_FILE", "/x")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("BEACON_HTTP_PORT_FILE");
  }

  @Test
  void unknownEnvironmentVariable_failsNamingIt() {
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("BEACON_HTTP_PROT", "9000")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("Unknown configuration BEACON_HTTP_PROT");
  }

  @Test
  void unknownFileKeys_failNamingTheirPath_atAnyDepth() {
    assertThatThrownBy(() -> load(new JsonObject().put("http", new JsonObject().put("prot", 9000)), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.prot in conf/config.json");
    assertThatThrownBy(() -> load(new JsonObject().put("trackng", new JsonObject()), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("trackng in conf/config.json");
    // A section that is a leaf key's parent, given as a scalar, is unknown too.
    assertThatThrownBy(() -> load(new JsonObject().put("log", "json"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("log in conf/config.json");
  }

  @Test
  void theShippedConfigFile_hasOnlyKnownKeys() throws Exception {
    JsonObject shipped = new JsonObject(Files.readString(Path.of("conf", "config.json")));
    assertThat(new ConfigSource(shipped, Map.of(), Map.of()).unknown(BeaconConfig.KEYS, BeaconConfig.SECRETS)).isEmpty();
  }

  @Test
  void reservedTestVariables_andOtherPrograms_variables_neverFailAStart() {
    BeaconConfig c = load(new JsonObject(), Map.of("BEACON_TEST_DB_URL", "postgresql://x/y",
        "BEACON_BROWSER_TESTS", "required", "PATH", "/bin", "OTHER_BEACON_X", "1"));
    assertThat(c.http().port()).isEqualTo(8080);
  }

  @Test
  void explain_redactsSecrets_andNamesEachOrigin(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("stripe");
    Files.writeString(f, "sk_live_verysecret");
    var all = BeaconConfig.explain(new ConfigSource(new JsonObject().put("http", new JsonObject().put("port", 9000)),
        Map.of("BEACON_PAYMENTS_STRIPE_API_KEY_FILE", f.toString(), "BEACON_DB_PASSWORD", "hunter2"),
        Map.of("scoring.model", "v2")));
    assertThat(all.keySet()).containsAll(BeaconConfig.KEYS);
    assertThat(all.get("http.port")).containsExactly("9000", "conf/config.json");
    assertThat(all.get("db.password")).containsExactly("(set, redacted)", "environment variable BEACON_DB_PASSWORD");
    assertThat(all.get("payments.stripeApiKey")[0]).isEqualTo("(set, redacted)");
    assertThat(all.get("payments.stripeApiKey")[1]).contains("BEACON_PAYMENTS_STRIPE_API_KEY_FILE");
    assertThat(all.get("scoring.model")).containsExactly("v2", "system property -Dscoring.model");
    assertThat(all.get("http.host")).containsExactly("0.0.0.0", "default");
    assertThat(all.values().stream().map(v -> v[0])).noneMatch(v -> v.contains("hunter2") || v.contains("verysecret"));
  }

  @Test
  void trustedProxies_mustBeNetworks() {
    assertThat(load(new JsonObject().put("http", new JsonObject().put("trustedProxies",
        new JsonArray().add("10.0.0.0/8").add("fd00::/8").add("192.0.2.1"))), Map.of())
        .ops().trustedProxies()).hasSize(3);
    assertThatThrownBy(() -> load(new JsonObject(), Map.of("BEACON_HTTP_TRUSTED_PROXIES", "[\"lb.internal\"]")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.trustedProxies[0]");
  }
}
