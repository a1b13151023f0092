package dev.beacon.debtors;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TokensTest {

  @Test
  void tokens_carryAtLeast128RandomBits_andAreUrlSafe() {
    String t = Tokens.newToken();
    assertThat(t).matches("[A-Za-z0-9_-]+").hasSize(32);
    assertThat(Base64.getUrlDecoder().decode(t)).hasSize(24); // 192 bits
    assertThat(Tokens.BYTES * 8).isGreaterThanOrEqualTo(128);
    assertThat(t.length()).isLessThanOrEqualTo(50); // fits debtors.unique_token VARCHAR(50)
  }

  @Test
  void tokens_doNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      assertThat(seen.add(Tokens.newToken())).isTrue();
    }
  }

  @Test
  void tokens_useTheWholeAlphabet() {
    Set<Character> chars = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      for (char c : Tokens.newToken().toCharArray()) {
        chars.add(c);
      }
    }
    assertThat(chars).hasSize(64);
  }

  @Test
  void shapeCheck_rejectsWhatBeaconNeverIssues() {
    assertThat(Tokens.looksValid(Tokens.newToken())).isTrue();
    assertThat(Tokens.looksValid("short")).isFalse();
    assertThat(Tokens.looksValid("../../etc/passwd0000000000000")).isFalse();
    assertThat(Tokens.looksValid(null)).isFalse();
    assertThat(Tokens.looksValid("x".repeat(51))).isFalse();
  }
}
