package dev.beacon.tracking;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UserAgentTest {
  @Test
  void clip_keepsTheFirstThousandCharacters_andLeavesShorterOnesAndNullAlone() {
    assertThat(UserAgent.clip("x".repeat(1500))).hasSize(UserAgent.MAX_LENGTH).isEqualTo("x".repeat(1000));
    assertThat(UserAgent.clip("x".repeat(1000))).hasSize(1000);
    assertThat(UserAgent.clip("Mozilla/5.0")).isEqualTo("Mozilla/5.0");
    assertThat(UserAgent.clip(null)).isNull();
  }
}
