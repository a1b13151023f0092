package dev.beacon.tracking;

import dev.beacon.core.IpAddresses;
import dev.beacon.tracking.Classifier.Kind;
import dev.beacon.tracking.Classifier.Label;
import dev.beacon.tracking.Classifier.Signals;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ClassifierTest {
  private static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      + "Chrome/120.0.0.0 Safari/537.36";
  private static final String IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
      + "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
  private static final String HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
  private static final Classifier CLASSIFIER = Classifier.of(List.of("52.96.0.0/14", "2603:1000::/24", "198.51.100.7"));

  static Signals open(String ua) {
    return new Signals(Kind.OPEN, false, ua, "image/avif,image/webp,*/*", null, null, null, IpAddresses.parse("203.0.113.9"));
  }

  static Signals click(String ua, String accept) {
    return new Signals(Kind.CLICK, false, ua, accept, null, null, null, IpAddresses.parse("203.0.113.9"));
  }

  static Signals from(String ip, String ua) {
    return new Signals(Kind.CLICK, false, ua, HTML, null, null, null, IpAddresses.parse(ip));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // people
        arguments(open(CHROME), Label.HUMAN, "browser"),
        arguments(open(IPHONE), Label.HUMAN, "browser"),
        arguments(click(CHROME, HTML), Label.HUMAN, "browser"),
        arguments(click(IPHONE, "text/html"), Label.HUMAN, "browser"),
        arguments(open("Mozilla/5.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)"), Label.HUMAN, "browser"),
        arguments(open("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"),
            Label.HUMAN, "browser"),
        arguments(from("52.100.0.1", CHROME), Label.HUMAN, "browser"),
        arguments(new Signals(Kind.OPEN, false, CHROME, null, null, null, null, null), Label.HUMAN, "browser"),
        arguments(new Signals(Kind.CLICK, false, CHROME, null, null, null, null, null), Label.HUMAN, "browser"),
        // privacy proxies and prefetchers
        arguments(open("Mozilla/5.0"), Label.MACHINE, "Apple Mail Privacy Protection"),
        arguments(open(" Mozilla/5.0 "), Label.MACHINE, "Apple Mail Privacy Protection"),
        arguments(open("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"),
            Label.MACHINE, "GoogleImageProxy"),
        arguments(open("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html"), Label.MACHINE,
            "YahooMailProxy"),
        arguments(click("Microsoft Office Existence Discovery", "*/*"), Label.MACHINE, "Office link discovery"),
        arguments(click("Microsoft Office Protocol Discovery", "*/*"), Label.MACHINE, "Office link discovery"),
        arguments(click("Mozilla/4.0 (compatible; ms-office; MSOffice 16)", "*/*"), Label.MACHINE, "ms-office"),
        arguments(click("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "*/*"), Label.MACHINE, "Slackbot"),
        arguments(click("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "*/*"),
            Label.MACHINE, "facebookexternalhit"),
        arguments(click("Twitterbot/1.0", "*/*"), Label.MACHINE, "Twitterbot"),
        arguments(click("WhatsApp/2.23.20.0 A", "*/*"), Label.MACHINE, "WhatsApp"),
        arguments(click("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", HTML),
            Label.MACHINE, "LinkedInBot"),
        arguments(click("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", HTML), Label.MACHINE,
            "Discordbot"),
        arguments(click("TelegramBot (like TwitterBot)", HTML), Label.MACHINE, "TelegramBot"),
        arguments(click("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) "
            + "Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0", HTML), Label.MACHINE, "iMessage"),
        arguments(click("Mozilla/5.0 (compatible; Applebot/0.1; +http://www.apple.com/go/applebot)", HTML), Label.MACHINE,
            "Applebot"),
        arguments(click("Viber/20.3.0 CFNetwork/1410.0.3 Darwin/22.6.0", HTML), Label.MACHINE, "Viber"),
        arguments(click("Mozilla/5.0 (compatible; Iframely/1.3.1; +https://iframely.com/docs/about)", HTML), Label.MACHINE,
            "Iframely"),
        arguments(click("Mozilla/5.0 (compatible; urlscan/1.0; +https://urlscan.io)", HTML), Label.SCANNER, "urlscan"),
        arguments(click("Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5", HTML), Label.MACHINE,
            "SkypeUriPreview"),
        arguments(click("curl/8.5.0", "*/*"), Label.MACHINE, "curl"),
        arguments(open(null), Label.MACHINE, "no user agent"),
        arguments(open("   "), Label.MACHINE, "no user agent"),
        arguments(new Signals(Kind.OPEN, true, CHROME, "*/*", null, null, null, null), Label.MACHINE, "HEAD"),
        arguments(new Signals(Kind.CLICK, false, CHROME, HTML, "prefetch;anonymous-client-ip", null, null, null),
            Label.MACHINE, "prefetch"),
        arguments(new Signals(Kind.CLICK, false, CHROME, HTML, null, "prefetch", null, null), Label.MACHINE, "prefetch"),
        arguments(new Signals(Kind.CLICK, false, CHROME, HTML, null, null, "prefetch", null), Label.MACHINE, "prefetch"),
        // security scanners
        arguments(click("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/119.0 Safari/537.36",
            HTML), Label.SCANNER, "HeadlessChrome"),
        arguments(click("Proofpoint URL Defense", HTML), Label.SCANNER, "Proofpoint"),
        arguments(click("Mimecast-URL-Protect/1.0", HTML), Label.SCANNER, "Mimecast"),
        arguments(click("Barracuda Sentinel (EE)", HTML), Label.SCANNER, "Barracuda"),
        arguments(click("Cisco IronPort Web Security", HTML), Label.SCANNER, "IronPort"),
        arguments(click("Microsoft SafeLinks", HTML), Label.SCANNER, "Safe Links"),
        arguments(click(CHROME, "*/*"), Label.SCANNER, "without text/html"),
        arguments(click(CHROME, ""), Label.SCANNER, "without text/html"),
        arguments(from("52.97.1.2", CHROME), Label.SCANNER, "scanner network 52.96.0.0/14"),
        arguments(from("198.51.100.7", CHROME), Label.SCANNER, "scanner network 198.51.100.7"),
        arguments(from("2603:10a6:20b::1", CHROME), Label.SCANNER, "scanner network 2603:1000::/24"),
        arguments(from("2001:db8::1", CHROME), Label.HUMAN, "browser"),
        // a scanner network wins over a user agent that looks like a proxy
        arguments(from("52.96.0.1", "Mozilla/5.0"), Label.SCANNER, "scanner network"),
        // a scanner marker wins over request shape
        arguments(new Signals(Kind.CLICK, true, "Mimecast", "*/*", null, null, null, null), Label.SCANNER, "Mimecast"));
  }

  @ParameterizedTest(name = "[{index}] {1} because {2}")
  @MethodSource("cases")
  void classifies(Signals signals, Label label, String reasonContains) {
    Classifier.Verdict v = CLASSIFIER.classify(signals);
    assertThat(v.label()).isEqualTo(label);
    assertThat(v.reason()).containsIgnoringCase(reasonContains);
  }

  @ParameterizedTest
  @MethodSource("badCidrs")
  void badScannerCidr_isRefusedNamingTheKey(String cidr) {
    Assertions.assertThatThrownBy(() -> Classifier.of(List.of(cidr)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tracking.scannerCidrs");
  }

  static Stream<String> badCidrs() {
    return Stream.of("10.0.0.0/33", "example.com/8", "10.0.0.0/x", "::1/129");
  }
}
