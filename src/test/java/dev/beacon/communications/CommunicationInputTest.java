package dev.beacon.communications;

import dev.beacon.http.Problem;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Validation of a communication body: values normalised, every bad field named. */
@Timeout(10)
class CommunicationInputTest {
  static final Instant NOW = Instant.parse("2026-11-25T17:00:00Z");

  static JsonObject call() {
    return new JsonObject().put("type", "phone").put("direction", "outbound");
  }

  @Test
  void validCall_isParsed() {
    CommunicationInput in = CommunicationInput.fromJson(call().put("callDuration", 60).put("callOutcome", "answered")
        .put("requiresFollowup", true).put("followupDate", "2026-12-01T10:00:00-05:00")
        .put("at", "2026-11-20T16:00:00Z"), NOW);
    assertThat(in.type()).isEqualTo(Channel.PHONE);
    assertThat(in.outbound()).isTrue();
    assertThat(in.callDuration()).isEqualTo(60);
    assertThat(in.followupDate().toInstant()).isEqualTo(Instant.parse("2026-12-01T15:00:00Z"));
    assertThat(in.when(NOW)).isEqualTo(Instant.parse("2026-11-20T16:00:00Z"));
  }

  @Test
  void withoutAt_happensNow_andDefaultsAreFalse() {
    CommunicationInput in = CommunicationInput.fromJson(new JsonObject().put("type", "sms").put("direction", "inbound"), NOW);
    assertThat(in.when(NOW)).isEqualTo(NOW);
    assertThat(in.aiGenerated()).isFalse();
    assertThat(in.requiresFollowup()).isFalse();
  }

  @Test
  void atSlightlyAhead_isTolerated_butNotAnHour() {
    assertThat(CommunicationInput.fromJson(call().put("at", NOW.plusSeconds(60).toString()), NOW).at()).isNotNull();
    Problem p = catchThrowableOfType(Problem.class,
        () -> CommunicationInput.fromJson(call().put("at", NOW.plusSeconds(3600).toString()), NOW));
    assertThat(p.errors()).extracting(Problem.FieldError::field).containsExactly("at");
  }

  @Test
  void everyBadField_isNamedOnce() {
    Problem p = catchThrowableOfType(Problem.class, () -> CommunicationInput.fromJson(new JsonObject()
        .put("type", "email").put("direction", 1).put("callDuration", 5).put("aiGenerated", 1).put("x", true), NOW));
    assertThat(p.status()).isEqualTo(400);
    assertThat(p.errors()).extracting(Problem.FieldError::field)
        .containsExactlyInAnyOrder("x", "direction", "callDuration", "aiGenerated");
  }
}
