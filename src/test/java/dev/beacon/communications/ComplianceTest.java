package dev.beacon.communications;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.beacon.communications.Channel.EMAIL;
import static dev.beacon.communications.Channel.PHONE;
import static dev.beacon.communications.Channel.SMS;
import static dev.beacon.communications.Compliance.CALL_AFTER_CONVERSATION;
import static dev.beacon.communications.Compliance.CALL_FREQUENCY;
import static dev.beacon.communications.Compliance.CEASE;
import static dev.beacon.communications.Compliance.DISPUTE;
import static dev.beacon.communications.Compliance.DNC;
import static dev.beacon.communications.Compliance.EMAIL_CONSENT;
import static dev.beacon.communications.Compliance.INCONVENIENT_TIME;
import static dev.beacon.communications.Compliance.OPT_OUT;
import static dev.beacon.communications.Compliance.PHONE_CONSENT;
import static org.assertj.core.api.Assertions.assertThat;

/** The compliance gate as a table: facts, channel and time in; the rule that refuses (or none) out. */
@Timeout(10)
class ComplianceTest {
  static final String NY = "America/New_York";
  static final String CHI = "America/Chicago";
  static final String DEN = "America/Denver";
  static final String LA = "America/Los_Angeles";
  static final String PHX = "America/Phoenix";
  static final String HNL = "Pacific/Honolulu";

  /** Tuesday 10 November 2026, 12:00 in Chicago (CST, UTC-6): a convenient time for the default debtor. */
  static final Instant NOON = Instant.parse("2026-11-10T18:00:00Z");
  static final LocalDate DAY = LocalDate.of(2026, 11, 10);

  /** A debtor with every consent, in Chicago, with no history; each case changes what it tests. */
  record Facts(String status, boolean email, boolean phone, boolean dnc, String timezone, String state,
               Set<Channel> optedOut, List<Instant> calls, List<Instant> conversations) {
    static Facts ok() {
      return new Facts("active", true, true, false, CHI, null, Set.of(), List.of(), List.of());
    }

    Facts status(String s) {
      return new Facts(s, email, phone, dnc, timezone, state, optedOut, calls, conversations);
    }

    Facts noEmailConsent() {
      return new Facts(status, false, phone, dnc, timezone, state, optedOut, calls, conversations);
    }

    Facts noPhoneConsent() {
      return new Facts(status, email, false, dnc, timezone, state, optedOut, calls, conversations);
    }

    Facts onDnc() {
      return new Facts(status, email, phone, true, timezone, state, optedOut, calls, conversations);
    }

    Facts zone(String tz) {
      return new Facts(status, email, phone, dnc, tz, state, optedOut, calls, conversations);
    }

    Facts state(String st, String tz) {
      return new Facts(status, email, phone, dnc, tz, st, optedOut, calls, conversations);
    }

    Facts optedOut(Channel... channels) {
      Set<Channel> s = EnumSet.noneOf(Channel.class);
      s.addAll(List.of(channels));
      return new Facts(status, email, phone, dnc, timezone, state, s, calls, conversations);
    }

    Facts calls(Instant... at) {
      return new Facts(status, email, phone, dnc, timezone, state, optedOut, List.of(at), conversations);
    }

    Facts conversations(Instant... at) {
      return new Facts(status, email, phone, dnc, timezone, state, optedOut, calls, List.of(at));
    }

    ContactFacts build() {
      return new ContactFacts(status, email, phone, dnc, ContactFacts.zonesOf(timezone, state), optedOut, calls,
          conversations);
    }
  }

  record Case(String name, Facts facts, Channel channel, Instant at, String rule, Instant next) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case allowed(String name, Facts f, Channel ch, Instant at) {
    return new Case(name, f, ch, at, null, null);
  }

  static Case refused(String name, Facts f, Channel ch, Instant at, String rule) {
    return new Case(name, f, ch, at, rule, null);
  }

  static Case refused(String name, Facts f, Channel ch, Instant at, String rule, Instant next) {
    return new Case(name, f, ch, at, rule, next);
  }

  static Instant local(String zone, LocalDate day, int hour, int minute) {
    return day.atTime(LocalTime.of(hour, minute)).atZone(ZoneId.of(zone)).toInstant();
  }

  static Instant days(Instant t, double days) {
    return t.minus(Duration.ofMinutes(Math.round(days * 24 * 60)));
  }

  /** n calls, one a day going back from a day before {@code t}. */
  static Instant[] dailyCalls(Instant t, int n) {
    Instant[] calls = new Instant[n];
    for (int i = 0; i < n; i++) {
      calls[i] = days(t, 1 + i * 0.8);
    }
    return calls;
  }

  static Stream<Case> cases() {
    List<Case> c = new ArrayList<>();
    Facts ok = Facts.ok();

    // Consent, DNC and opt-outs: block their channels only.
    c.add(allowed("email with email consent", ok, EMAIL, NOON));
    c.add(allowed("call with phone consent", ok, PHONE, NOON));
    c.add(allowed("SMS with phone consent", ok, SMS, NOON));
    c.add(refused("email without email consent", ok.noEmailConsent(), EMAIL, NOON, EMAIL_CONSENT));
    c.add(allowed("call without email consent", ok.noEmailConsent(), PHONE, NOON));
    c.add(refused("call without phone consent", ok.noPhoneConsent(), PHONE, NOON, PHONE_CONSENT));
    c.add(refused("SMS without phone consent", ok.noPhoneConsent(), SMS, NOON, PHONE_CONSENT));
    c.add(allowed("email without phone consent", ok.noPhoneConsent(), EMAIL, NOON));
    c.add(refused("call to a DNC number", ok.onDnc(), PHONE, NOON, DNC));
    c.add(refused("SMS to a DNC number", ok.onDnc(), SMS, NOON, DNC));
    c.add(allowed("email to a DNC-registered debtor", ok.onDnc(), EMAIL, NOON));
    c.add(refused("email after an email opt-out (page or one-click)", ok.optedOut(EMAIL), EMAIL, NOON, OPT_OUT));
    c.add(allowed("SMS after an email opt-out", ok.optedOut(EMAIL), SMS, NOON));
    c.add(refused("SMS after an SMS opt-out (page or inbound STOP)", ok.optedOut(SMS), SMS, NOON, OPT_OUT));
    c.add(allowed("email after an SMS opt-out", ok.optedOut(SMS), EMAIL, NOON));
    c.add(allowed("call after an SMS opt-out", ok.optedOut(SMS), PHONE, NOON));
    c.add(refused("call after a phone opt-out", ok.optedOut(PHONE), PHONE, NOON, OPT_OUT));

    // Status: dispute and cease stop every outbound channel; other statuses do not.
    for (Channel ch : Channel.values()) {
      c.add(refused(ch.wire() + " to a debtor in dispute", ok.status("dispute"), ch, NOON, DISPUTE));
      c.add(refused(ch.wire() + " after a cease request", ok.status("cease"), ch, NOON, CEASE));
    }
    c.add(allowed("email to a debtor on a payment plan", ok.status("payment_plan"), EMAIL, NOON));
    c.add(refused("cease outranks a missing consent", ok.status("cease").noEmailConsent(), EMAIL, NOON, CEASE));

    // 12 CFR 1006.14(b)(2)(i): seven calls in seven days; the eighth is refused until the oldest ages out.
    c.add(allowed("7th call in 7 days", ok.calls(dailyCalls(NOON, 6)), PHONE, NOON));
    Instant[] seven = dailyCalls(NOON, 7);
    Instant oldest = seven[6];
    c.add(refused("8th call in 7 days", ok.calls(seven), PHONE, NOON, CALL_FREQUENCY, oldest.plus(Duration.ofDays(7))));
    c.add(allowed("8th call once the oldest is exactly 7 days old", ok.calls(seven), PHONE,
        oldest.plus(Duration.ofDays(7))));
    c.add(refused("8th call a minute before the oldest ages out", ok.calls(seven), PHONE,
        oldest.plus(Duration.ofDays(7)).minusSeconds(60), CALL_FREQUENCY, oldest.plus(Duration.ofDays(7))));
    Instant[] eight = dailyCalls(NOON, 8);
    c.add(refused("9th call waits for the two oldest to age out", ok.calls(eight), PHONE, NOON, CALL_FREQUENCY,
        eight[6].plus(Duration.ofDays(7))));
    c.add(allowed("email after 7 calls in 7 days", ok.calls(seven), EMAIL, NOON));
    c.add(allowed("SMS after 7 calls in 7 days", ok.calls(seven), SMS, NOON));
    Instant[] lateSeven = new Instant[7];
    for (int i = 0; i < 7; i++) {
      lateSeven[i] = local(CHI, DAY.minusDays(7), 21, 10 + i);
    }
    c.add(refused("8th call: the oldest ages out at 21:10, so the next call waits for 8:00",
        ok.calls(lateSeven), PHONE, local(CHI, DAY, 20, 0), CALL_FREQUENCY, local(CHI, DAY.plusDays(1), 8, 0)));

    Instant[] laterSeven = new Instant[7];
    for (int i = 0; i < 7; i++) {
      laterSeven[i] = NOON.plus(Duration.ofHours(i + 1));
    }
    c.add(refused("back-dated call into a week already holding 7 later calls (no single release time)",
        ok.calls(laterSeven), PHONE, NOON, CALL_FREQUENCY, null));
    c.add(allowed("back-dated call into a week holding 6 later calls", ok.calls(dailyCalls(NOON.plus(Duration.ofDays(6)), 6)),
        PHONE, NOON));

    // 12 CFR 1006.14(b)(2)(ii): no call for seven days after a telephone conversation.
    Instant answered = days(NOON, 3);
    c.add(refused("call 3 days after an answered call", ok.conversations(answered), PHONE, NOON,
        CALL_AFTER_CONVERSATION, answered.plus(Duration.ofDays(7))));
    Instant inbound = days(NOON, 7).plusSeconds(60);
    c.add(refused("call 6 days 23:59 after an inbound call", ok.conversations(inbound), PHONE, NOON,
        CALL_AFTER_CONVERSATION, inbound.plus(Duration.ofDays(7))));
    c.add(allowed("call exactly 7 days after an inbound call", ok.conversations(days(NOON, 7)), PHONE, NOON));
    c.add(allowed("email 1 day after a conversation", ok.conversations(days(NOON, 1)), EMAIL, NOON));
    c.add(allowed("SMS 1 day after a conversation", ok.conversations(days(NOON, 1)), SMS, NOON));
    Instant nightCall = local(CHI, DAY.minusDays(7), 21, 30);
    c.add(refused("release after a 21:30 conversation waits for 8:00", ok.conversations(nightCall), PHONE,
        local(CHI, DAY, 12, 0), CALL_AFTER_CONVERSATION, local(CHI, DAY.plusDays(1), 8, 0)));

    // 1006.6(b)(1)(i): 8:00 to before 21:00 local time, in four and more zones.
    for (String zone : List.of(NY, CHI, DEN, LA, PHX, HNL)) {
      Facts f = ok.zone(zone);
      c.add(refused("7:59 in " + zone, f, EMAIL, local(zone, DAY, 7, 59), INCONVENIENT_TIME, local(zone, DAY, 8, 0)));
      c.add(allowed("8:00 in " + zone, f, SMS, local(zone, DAY, 8, 0)));
      c.add(allowed("20:59 in " + zone, f, PHONE, local(zone, DAY, 20, 59)));
      c.add(refused("21:00 in " + zone, f, PHONE, local(zone, DAY, 21, 0), INCONVENIENT_TIME,
          local(zone, DAY.plusDays(1), 8, 0)));
    }
    c.add(refused("Phoenix keeps UTC-7 in July (no DST)", ok.zone(PHX), EMAIL, Instant.parse("2026-07-15T14:59:00Z"),
        INCONVENIENT_TIME, Instant.parse("2026-07-15T15:00:00Z")));

    // Daylight saving: 8 March 2026 (starts) and 1 November 2026 (ends) in the US.
    Facts ny = ok.zone(NY);
    c.add(refused("DST starts: 7:59 EDT is 11:59Z", ny, EMAIL, Instant.parse("2026-03-08T11:59:00Z"),
        INCONVENIENT_TIME, Instant.parse("2026-03-08T12:00:00Z")));
    c.add(allowed("DST starts: 12:30Z is 8:30 EDT, not 7:30 EST", ny, EMAIL, Instant.parse("2026-03-08T12:30:00Z")));
    c.add(refused("DST starts: 1:30 EST, next is 8:00 EDT", ny, SMS, Instant.parse("2026-03-08T06:30:00Z"),
        INCONVENIENT_TIME, Instant.parse("2026-03-08T12:00:00Z")));
    c.add(refused("DST ends: 12:30Z is 7:30 EST, not 8:30 EDT", ny, EMAIL, Instant.parse("2026-11-01T12:30:00Z"),
        INCONVENIENT_TIME, Instant.parse("2026-11-01T13:00:00Z")));
    c.add(allowed("DST ends: 20:30 EST is 01:30Z next day", ny, PHONE, Instant.parse("2026-11-02T01:30:00Z")));
    c.add(refused("DST ends: 21:00 EST is 02:00Z next day", ny, PHONE, Instant.parse("2026-11-02T02:00:00Z"),
        INCONVENIENT_TIME, Instant.parse("2026-11-02T13:00:00Z")));
    c.add(refused("DST ends in Los Angeles: 7:59 PST", ok.zone(LA), SMS, Instant.parse("2026-11-01T15:59:00Z"),
        INCONVENIENT_TIME, Instant.parse("2026-11-01T16:00:00Z")));

    // A state spanning zones: only hours convenient in all of them.
    Facts tx = ok.state("TX", null);
    c.add(refused("Texas 8:30 Chicago is 7:30 El Paso", tx, EMAIL, Instant.parse("2026-11-10T14:30:00Z"),
        INCONVENIENT_TIME, Instant.parse("2026-11-10T15:00:00Z")));
    c.add(allowed("Texas 9:00 Chicago is 8:00 El Paso", tx, EMAIL, Instant.parse("2026-11-10T15:00:00Z")));
    c.add(allowed("Texas 20:59 Chicago", tx, PHONE, Instant.parse("2026-11-11T02:59:00Z")));
    c.add(refused("Texas 21:00 Chicago, next is 8:00 El Paso", tx, PHONE, Instant.parse("2026-11-11T03:00:00Z"),
        INCONVENIENT_TIME, Instant.parse("2026-11-11T15:00:00Z")));
    c.add(allowed("Texas debtor with a known Chicago timezone", ok.state("TX", CHI), EMAIL,
        Instant.parse("2026-11-10T14:30:00Z")));
    c.add(refused("Florida 8:30 Miami is 7:30 Pensacola", ok.state("FL", null), SMS,
        Instant.parse("2026-11-10T13:30:00Z"), INCONVENIENT_TIME, Instant.parse("2026-11-10T14:00:00Z")));
    c.add(refused("no timezone, no state: 7:59 in Hawaii", ok.state(null, null), EMAIL,
        Instant.parse("2026-11-10T17:59:00Z"), INCONVENIENT_TIME, Instant.parse("2026-11-10T18:00:00Z")));
    c.add(allowed("no timezone, no state: 13:00 New York, 8:00 Hawaii", ok.state(null, null), EMAIL,
        Instant.parse("2026-11-10T18:00:00Z")));
    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gate(Case k) {
    Decision d = Compliance.check(k.facts().build(), k.channel(), k.at());
    assertThat(d.rule()).as("rule").isEqualTo(k.rule());
    assertThat(d.allowed()).isEqualTo(k.rule() == null);
    assertThat(d.nextAllowedAt()).as("nextAllowedAt").isEqualTo(k.next());
    if (!d.allowed()) {
      assertThat(d.detail()).isNotBlank();
    }
  }

  @Test
  void table_hasAtLeastFortyCases() {
    assertThat(cases().count()).isGreaterThanOrEqualTo(40);
  }

  @Test
  @DisplayName("nextAllowedAt is itself allowed, and nothing earlier is")
  void nextAllowedAt_isTheFirstAllowedInstant() {
    cases().filter(k -> k.next() != null).forEach(k -> {
      ContactFacts f = k.facts().build();
      assertThat(Compliance.check(f, k.channel(), k.next()).allowed()).as(k.name()).isTrue();
      assertThat(Compliance.check(f, k.channel(), k.next().minusSeconds(1)).allowed()).as(k.name()).isFalse();
    });
  }

  @ParameterizedTest(name = "revocation: \"{0}\"")
  @ValueSource(strings = {"stop", "quit", "end", "revoke", "opt out", "cancel", "unsubscribe", "STOP", " Stop. ",
      "Opt-Out", "OPTOUT", "Unsubscribe!", "stop stop", "STOP STOP STOP", "Stop. Stop!", "stop, unsubscribe",
      "Opt out. STOP"})
  void smsRevocationWords(String body) {
    assertThat(SmsRevocation.isRevocation(body)).isTrue();
  }

  @ParameterizedTest(name = "not a revocation: \"{0}\"")
  @ValueSource(strings = {"", "stopping", "I will pay on Friday", "can you stop by", "ok", "end of month", "stop by stop"})
  void smsOtherBodies_areNotRevocations(String body) {
    assertThat(SmsRevocation.isRevocation(body)).isFalse();
  }

  @Test
  @DisplayName("a body of the longest content allowed is read without running out of stack")
  void smsRevocation_longBodies() {
    assertThat(SmsRevocation.isRevocation("stop ".repeat(11_999) + "stop")).isTrue();
    assertThat(SmsRevocation.isRevocation("opt-out ".repeat(7_499) + "x")).isFalse();
  }

  @Test
  @DisplayName("an undeliverable email address refuses email only, after consent and opt-out, before timing")
  void emailUndeliverable_refusesEmailOnly() {
    ContactFacts ok = Facts.ok().build();
    ContactFacts bounced = new ContactFacts(ok.status(), true, true, false, ok.zones(), Set.of(), List.of(),
        List.of(), true);
    assertThat(Compliance.check(bounced, Channel.EMAIL, NOON).rule()).isEqualTo(Compliance.EMAIL_UNDELIVERABLE);
    assertThat(Compliance.check(bounced, Channel.EMAIL, NOON).nextAllowedAt()).isNull();
    assertThat(Compliance.check(bounced, Channel.SMS, NOON).allowed()).isTrue();
    assertThat(Compliance.check(bounced, Channel.PHONE, NOON).allowed()).isTrue();
    ContactFacts optedOutToo = new ContactFacts(ok.status(), true, true, false, ok.zones(), Set.of(Channel.EMAIL),
        List.of(), List.of(), true);
    assertThat(Compliance.check(optedOutToo, Channel.EMAIL, NOON).rule()).isEqualTo(Compliance.OPT_OUT);
    Instant night = local(CHI, DAY, 23, 0);
    assertThat(Compliance.check(bounced, Channel.EMAIL, night).rule()).isEqualTo(Compliance.EMAIL_UNDELIVERABLE);
    assertThat(Compliance.check(ok, Channel.EMAIL, NOON).allowed()).isTrue();
  }

  @Test
  void ruleSet_isVersioned() {
    assertThat(Compliance.RULE_SET).isEqualTo("regf-2026.2");
  }
}
