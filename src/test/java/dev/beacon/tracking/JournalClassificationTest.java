package dev.beacon.tracking;

import dev.beacon.tracking.Classifier.Kind;
import dev.beacon.tracking.Classifier.Label;
import dev.beacon.tracking.Classifier.Signals;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The journal keeps only request-shape bits and the scanner network's index, not the headers and the full
 * address: classifying what it kept gives every case of {@link ClassifierTest} the label and reason the live
 * request gave (a live request without Accept is "", as TrackingRoutes always passed).
 */
class JournalClassificationTest {
  private static final Classifier CLASSIFIER = Classifier.of(List.of("52.96.0.0/14", "2603:1000::/24", "198.51.100.7"));

  @ParameterizedTest
  @MethodSource("dev.beacon.tracking.ClassifierTest#cases")
  void journalledSignals_classifyAsTheLiveRequest(Signals s, Label label, String reason) {
    Signals live = s.accept() == null ? new Signals(s.kind(), s.head(), s.userAgent(), "", s.secPurpose(),
        s.purpose(), s.xMoz(), s.ip()) : s;
    int bits = Origin.bits(live.head(), live.secPurpose(), live.purpose(), live.xMoz(),
        CLASSIFIER.scannerNetwork(live.ip()));
    Journal.Entry entry = live.kind() == Kind.CLICK
        ? Journal.Entry.click("t", UUID.randomUUID(), OffsetDateTime.now(), live.userAgent(), null,
            bits | Origin.acceptBit(live.accept()), "https://example.com")
        : Journal.Entry.open("t", null, OffsetDateTime.now(), live.userAgent(), null, bits);

    assertThat(Enrichment.verdict(CLASSIFIER, live.kind(), entry)).isEqualTo(CLASSIFIER.classify(live));
  }

  @ParameterizedTest
  @MethodSource("dev.beacon.tracking.ClassifierTest#cases")
  void pageViews_getTheOpensLabels_withoutTheClickAcceptRule(Signals s, Label label, String reason) {
    Signals asView = new Signals(Kind.VIEW, s.head(), s.userAgent(), null, s.secPurpose(), s.purpose(), s.xMoz(),
        s.ip());
    int bits = Origin.bits(s.head(), s.secPurpose(), s.purpose(), s.xMoz(), CLASSIFIER.scannerNetwork(s.ip()));
    Journal.Entry entry = Journal.Entry.view("t", UUID.randomUUID(), OffsetDateTime.now(), s.userAgent(), null, bits,
        "landing", null, null);

    Classifier.Verdict v = Enrichment.verdict(CLASSIFIER, Kind.VIEW, entry);
    assertThat(v).isEqualTo(CLASSIFIER.classify(asView));
    if (!reason.contains("text/html")) {
      assertThat(v.label()).isEqualTo(label);
    }
  }
}
