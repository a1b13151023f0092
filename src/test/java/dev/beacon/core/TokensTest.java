package dev.beacon.core;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.HashSet;
import java.util.Random;
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

  @Test
  void shapeCheck_agreesWithTheShapePattern() {
    Random random = new Random(7);
    String alphabet = "AZaz09_-+/=.~ é\u0000";
    int valid = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(60);
      for (int k = 0; k < length; k++) {
        // Mostly token characters, sometimes one that is not.
        b.append(random.nextInt(40) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
            : "ABCabc019_-".charAt(random.nextInt(11)));
      }
      String s = b.toString();
      boolean expected = Tokens.SHAPE.matcher(s).matches();
      assertThat(Tokens.looksValid(s)).as(s).isEqualTo(expected);
      valid += expected ? 1 : 0;
    }
    assertThat(valid).isBetween(1_000, 19_000);
  }
}
