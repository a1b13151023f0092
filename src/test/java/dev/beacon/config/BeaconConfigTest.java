package dev.beacon.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BeaconConfigTest {

  private static BeaconConfig load(JsonObject file, Map<String, String> env, Map<String, String> sys) {
    return BeaconConfig.load(new ConfigSource(file, env, sys));
  }

  @Test
  void defaults_whenNothingIsSet() {
    BeaconConfig c = load(new JsonObject(), Map.of(), Map.of());
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.http().instances()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(c.db().embedded()).isTrue();
    assertThat(c.db().poolSize()).isEqualTo(16);
    assertThat(c.db().embeddedDir().toString()).isEqualTo("data/pg");
    assertThat(c.tracking().ipStorage()).isEqualTo(BeaconConfig.IpStorage.TRUNCATED);
    assertThat(c.tracking().sendWindow()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.tracking().flushSlots()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    assertThat(load(new JsonObject(), Map.of("BEACON_TRACKING_FLUSH_SLOTS", "3"), Map.of()).tracking().flushSlots())
        .isEqualTo(3);
    assertThat(c.payments().configured()).isFalse();
    assertThat(c.payments().currency()).isEqualTo("usd");
    assertThat(c.auth().keys()).isEmpty();
  }

  @Test
  void environmentOverridesFile_andSystemPropertyOverridesBoth() {
    JsonObject file = new JsonObject().put("http", new JsonObject().put("port", 1000).put("instances", 3));
    BeaconConfig fileOnly = load(file, Map.of(), Map.of());
    assertThat(fileOnly.http().port()).isEqualTo(1000);
    BeaconConfig env = load(file, Map.of("BEACON_HTTP_PORT", "2000"), Map.of());
    assertThat(env.http().port()).isEqualTo(2000);
    assertThat(env.http().instances()).isEqualTo(3);
    BeaconConfig sys = load(file, Map.of("BEACON_HTTP_PORT", "2000"), Map.of("http.port", "3000"));
    assertThat(sys.http().port()).isEqualTo(3000);
  }

  @ParameterizedTest
  @CsvSource({
      "http.port, BEACON_HTTP_PORT",
      "db.poolSize, BEACON_DB_POOL_SIZE",
      "tracking.ipStorage, BEACON_TRACKING_IP_STORAGE",
      "payments.stripeApiKey, BEACON_PAYMENTS_STRIPE_API_KEY",
      "auth.keys, BEACON_AUTH_KEYS"})
  void envNames_followTheDottedKey(String key, String env) {
    assertThat(ConfigSource.envName(key)).isEqualTo(env);
  }

  @Test
  void everyKeyHasADistinctEnvironmentName() {
    assertThat(BeaconConfig.KEYS.stream().map(ConfigSource::envName).distinct().count())
        .isEqualTo(BeaconConfig.KEYS.size());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "BEACON_HTTP_PORT|abc|http.port",
      "BEACON_HTTP_PORT|70000|http.port",
      "BEACON_DB_POOL_SIZE|0|db.poolSize",
      "BEACON_DB_URL|mysql://x/y|db.url",
      "BEACON_TRACKING_IP_STORAGE|half|tracking.ipStorage",
      "BEACON_TRACKING_SEND_WINDOW|soon|tracking.sendWindow",
      "BEACON_TRACKING_FLUSH_SLOTS|-1|tracking.flushSlots",
      "BEACON_PAYMENTS_MIN_PARTIAL|-5|payments.minPartial",
      "BEACON_PAYMENTS_CURRENCY|dollars|payments.currency",
      "BEACON_PAYMENTS_CURRENCY|jpy|payments.currency",
      "BEACON_PAYMENTS_CURRENCY|kwd|payments.currency",
      "BEACON_HTTP_PUBLIC_URL|not a url|http.publicUrl",
      "BEACON_AUTH_KEYS|{nope|auth.keys",
      "BEACON_SENDING_UNSUBSCRIBE_MAILTO|Agency <u@agency.example>|sending.unsubscribeMailto",
      "BEACON_SENDING_UNSUBSCRIBE_MAILTO|u@agency.example?subject=x|sending.unsubscribeMailto"})
  void badValue_stopsWithAMessageNamingTheKeyAndItsOrigin(String env, String value, String key) {
    assertThatThrownBy(() -> load(new JsonObject(), Map.of(env, value), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key)
        .hasMessageContaining(env);
  }

  @Test
  @DisplayName("delivery: the SNS certificate base is loopback-only; topic ARNs and the soft-bounce limit are checked")
  void delivery_snsCertBaseIsTestOnly() {
    BeaconConfig defaults = BeaconConfig.of(new JsonObject());
    assertThat(defaults.delivery().snsCertBase()).isEmpty();
    assertThat(defaults.delivery().softBounceLimit()).isEqualTo(3);
    assertThat(defaults.delivery().sesTopicArns()).isEmpty();
    JsonObject remote = new JsonObject().put("delivery", new JsonObject().put("snsCertBase", "https://evil.example.com"));
    assertThatThrownBy(() -> BeaconConfig.of(remote)).hasMessageContaining("delivery.snsCertBase");
    JsonObject local = new JsonObject().put("delivery", new JsonObject().put("snsCertBase", "http://127.0.0.1:8999"));
    assertThat(BeaconConfig.of(local).delivery().snsCertBase()).isEqualTo("http://127.0.0.1:8999");
    JsonObject topic = new JsonObject().put("delivery", new JsonObject().put("sesTopicArns", new JsonArray().add("not-an-arn")));
    assertThatThrownBy(() -> BeaconConfig.of(topic)).hasMessageContaining("delivery.sesTopicArns[0]");
    BeaconConfig env = load(new JsonObject(), Map.of("BEACON_DELIVERY_SES_TOPIC_ARNS",
        "[\"arn:aws:sns:us-east-1:123456789012:ses\"]"), Map.of());
    assertThat(env.delivery().sesTopicArns()).containsExactly("arn:aws:sns:us-east-1:123456789012:ses");
    JsonObject limit = new JsonObject().put("delivery", new JsonObject().put("softBounceLimit", 0));
    assertThatThrownBy(() -> BeaconConfig.of(limit)).hasMessageContaining("delivery.softBounceLimit");
  }

  @Test
  void apiKeys_mustBeHashes_withAKnownRole() {
    JsonObject plain = new JsonObject().put("auth", new JsonObject().put("keys",
        new JsonArray().add(new JsonObject().put("name", "a").put("role", "agent").put("sha256", "my-secret-key"))));
    assertThatThrownBy(() -> BeaconConfig.of(plain)).hasMessageContaining("auth.keys[0].sha256");
    JsonObject role = new JsonObject().put("auth", new JsonObject().put("keys",
        new JsonArray().add(new JsonObject().put("name", "a").put("role", "boss").put("sha256", "a".repeat(64)))));
    assertThatThrownBy(() -> BeaconConfig.of(role)).hasMessageContaining("auth.keys[0].role");
  }

  @Test
  void planBounds_mustBeOrdered() {
    assertThatThrownBy(() -> load(new JsonObject(),
        Map.of("BEACON_PAYMENTS_PLAN_MIN_INSTALLMENTS", "6", "BEACON_PAYMENTS_PLAN_MAX_INSTALLMENTS", "3"), Map.of()))
        .hasMessageContaining("payments.planMaxInstallments");
  }

  @ParameterizedTest
  @CsvSource({"500ms, 500", "30s, 30000", "5m, 300000", "2h, 7200000", "1d, 86400000", "PT5M, 300000"})
  void durations(String text, long millis) {
    assertThat(Settings.parseDuration(text).toMillis()).isEqualTo(millis);
  }

  @Test
  void jdbcPrefixedUrl_isAccepted() {
    BeaconConfig c = load(new JsonObject(), Map.of("BEACON_DB_URL", "jdbc:postgresql://h:5432/d"), Map.of());
    assertThat(c.db().url()).isEqualTo("postgresql://h:5432/d");
    assertThat(c.db().embedded()).isFalse();
  }
}
