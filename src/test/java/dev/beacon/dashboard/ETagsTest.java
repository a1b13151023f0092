package dev.beacon.dashboard;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ETagsTest {
  static final String TAG = "W/\"42-summary-1f\"";

  @Test
  void matches_weakly_inLists_andStar() {
    assertThat(ETags.matches(TAG, TAG)).isTrue();
    assertThat(ETags.matches("\"42-summary-1f\"", TAG)).isTrue();
    assertThat(ETags.matches("\"x\", W/\"42-summary-1f\"", TAG)).isTrue();
    assertThat(ETags.matches("*", TAG)).isTrue();
  }

  @Test
  void otherTags_andNoHeader_doNotMatch() {
    assertThat(ETags.matches(null, TAG)).isFalse();
    assertThat(ETags.matches("", TAG)).isFalse();
    assertThat(ETags.matches("W/\"43-summary-1f\"", TAG)).isFalse();
  }
}
