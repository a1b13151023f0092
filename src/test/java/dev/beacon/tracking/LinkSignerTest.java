package dev.beacon.tracking;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinkSignerTest {
  private static final String TOKEN = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  private static final String COMM = "0b8f4c1e-6a43-4a3e-9d8e-2f6f1c1d2e3f";
  private final LinkSigner signer = new LinkSigner("secret-one");

  @Test
  void signature_isBase64UrlHmacSha256_andVerifies() {
    String s = signer.sign(TOKEN, COMM, "https://example.com/a?b=c");
    assertThat(s).matches("[A-Za-z0-9_-]{43}");
    assertThat(signer.verify(TOKEN, COMM, "https://example.com/a?b=c", s)).isTrue();
  }

  @Test
  void anyChangedPart_failsVerification() {
    String s = signer.sign(TOKEN, COMM, "https://example.com/");
    assertThat(signer.verify(TOKEN, COMM, "https://evil.example/", s)).isFalse();
    assertThat(signer.verify("B" + TOKEN.substring(1), COMM, "https://example.com/", s)).isFalse();
    assertThat(signer.verify(TOKEN, "1" + COMM.substring(1), "https://example.com/", s)).isFalse();
    assertThat(new LinkSigner("secret-two").verify(TOKEN, COMM, "https://example.com/", s)).isFalse();
    assertThat(signer.verify(TOKEN, COMM, "https://example.com/", null)).isFalse();
    assertThat(signer.verify(TOKEN, COMM, "https://example.com/", "")).isFalse();
  }

  @Test
  void separator_preventsShiftingBetweenParts() {
    assertThat(signer.sign("ab", "c", "https://x.example/")).isNotEqualTo(signer.sign("a", "bc", "https://x.example/"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://example.com", "http://example.com/pay?x=1", "HTTPS://EXAMPLE.COM/"})
  void httpTargets_areAllowed(String url) {
    assertThat(LinkSigner.allowedTarget(url)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"javascript:alert(1)", "ftp://example.com/", "mailto:a@example.com", "/relative",
      "//example.com/x", "https:///nohost", "data:text/html,hi", "http://exa mple.com/", ""})
  void otherTargets_areRefused(String url) {
    assertThat(LinkSigner.allowedTarget(url)).isFalse();
  }

  @Test
  void trackedUrl_carriesEncodedTargetAndSignature() {
    String url = "https://example.com/a?b=c&d=e";
    String t = signer.trackedUrl("https://beacon.example", TOKEN, COMM, url);
    assertThat(t).isEqualTo("https://beacon.example/t/c/" + TOKEN + "/" + COMM + "?u="
        + URLEncoder.encode(url, StandardCharsets.UTF_8) + "&s=" + signer.sign(TOKEN, COMM, url));
  }

  @Test
  void emptySecret_isRefused() {
    assertThatThrownBy(() -> new LinkSigner("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void generatedSecret_isKeptAcrossStarts() throws Exception {
    Path dir = Files.createTempDirectory("beacon-secret");
    String first = LinkSecret.loadOrCreate(dir.resolve(LinkSecret.FILE));
    String second = LinkSecret.loadOrCreate(dir.resolve(LinkSecret.FILE));
    assertThat(first).hasSizeGreaterThanOrEqualTo(43).isEqualTo(second);
  }
}
