package dev.beacon.communications;

import dev.beacon.core.DebtorStatus;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.stream.Stream;

/**
 * The compliance gate for outbound contacts: pure rules over a debtor's {@link ContactFacts}, versioned as
 * {@link #RULE_SET}. Rules are checked in this order and the first that refuses is named:
 * cease, dispute, consent, DNC, opt-out, an undeliverable email address (permanent until the facts change), then the Regulation F call
 * frequency limits and the inconvenient-time rule (refusals that carry {@code nextAllowedAt}).
 */
public final class Compliance {
  /** Bumped whenever a rule changes; stored with every passed contact and every refusal. */
  public static final String RULE_SET = "regf-2026.2";

  public static final String CEASE = "cease";
  public static final String DISPUTE = "dispute";
  public static final String EMAIL_CONSENT = "email-consent";
  public static final String PHONE_CONSENT = "phone-consent";
  public static final String DNC = "dnc";
  public static final String OPT_OUT = "opt-out";
  /** The debtor's email address hard-bounced (12 CFR 1006.42: a notice that bounced was not delivered). */
  public static final String EMAIL_UNDELIVERABLE = "email-undeliverable";
  /** 12 CFR 1006.14(b)(2)(i): more than seven calls within seven consecutive days. */
  public static final String CALL_FREQUENCY = "call-frequency";
  /** 12 CFR 1006.14(b)(2)(ii): a call within seven days after a telephone conversation. */
  public static final String CALL_AFTER_CONVERSATION = "call-after-conversation";
  /** 12 CFR 1006.6(b)(1)(i): before 8:00 or from 21:00 at the debtor's location. */
  public static final String INCONVENIENT_TIME = "inconvenient-time";

  static final int MAX_CALLS_IN_WINDOW = 7;
  static final Duration WINDOW = Duration.ofDays(7);
  static final LocalTime EARLIEST = LocalTime.of(8, 0);
  /** Exclusive: 21:00:00 itself is already refused (the conservative reading of "after 9 p.m."). */
  static final LocalTime LATEST = LocalTime.of(21, 0);

  /**
   * Where nothing tells the debtor's location, the hours convenient everywhere in the fifty states and DC.
   */
  static final List<ZoneId> ALL_US_ZONES = List.of("America/New_York", "America/Chicago", "America/Denver",
      "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "America/Adak", "Pacific/Honolulu")
      .stream().map(ZoneId::of).toList();

  /** Enough rounds for every real combination of zones and call history to settle. */
  private static final int MAX_ROUNDS = 64;

  private Compliance() {}

  /**
   * The rules the gate checks for an outbound contact on {@code channel}, in order: what a contact it allows has
   * passed (answered by the worklist as why a debtor may be contacted).
   */
  public static List<String> rules(Channel channel) {
    return switch (channel) {
      case EMAIL -> List.of(CEASE, DISPUTE, EMAIL_CONSENT, OPT_OUT, EMAIL_UNDELIVERABLE, INCONVENIENT_TIME);
      case PHONE -> List.of(CEASE, DISPUTE, PHONE_CONSENT, DNC, OPT_OUT, CALL_FREQUENCY, CALL_AFTER_CONVERSATION,
          INCONVENIENT_TIME);
      case SMS -> List.of(CEASE, DISPUTE, PHONE_CONSENT, DNC, OPT_OUT, INCONVENIENT_TIME);
    };
  }

  /** May this outbound contact on {@code channel} be made at {@code at}? */
  public static Decision check(ContactFacts f, Channel channel, Instant at) {
    Decision blocked = blocked(f, channel);
    if (blocked != null) {
      return blocked;
    }
    Decision timed = timing(f, channel, at);
    if (timed == null) {
      return Decision.ALLOWED;
    }
    return Decision.refused(timed.rule(), timed.detail(), nextAllowed(f, channel, at));
  }

  /** Rules no waiting lifts: only a change of status, consent, DNC or opt-out does. */
  private static Decision blocked(ContactFacts f, Channel channel) {
    if (DebtorStatus.CEASE.equals(f.status())) {
      return Decision.refused(CEASE, "The debtor asked the agency to cease communication; no outbound contact");
    }
    if (DebtorStatus.DISPUTE.equals(f.status())) {
      return Decision.refused(DISPUTE, "The debt is disputed; no collection contact until the dispute is closed");
    }
    if (channel == Channel.EMAIL && !f.emailConsent()) {
      return Decision.refused(EMAIL_CONSENT, "The debtor has not consented to email");
    }
    if (channel != Channel.EMAIL && !f.phoneConsent()) {
      return Decision.refused(PHONE_CONSENT, "The debtor has not consented to calls and text messages");
    }
    if (channel != Channel.EMAIL && f.dncRegistered()) {
      return Decision.refused(DNC, "The debtor's number is on the Do Not Call registry");
    }
    if (f.optedOut().contains(channel)) {
      return Decision.refused(OPT_OUT, "The debtor opted out of " + channel.wire() + " contact");
    }
    if (channel == Channel.EMAIL && f.emailUndeliverable()) {
      return Decision.refused(EMAIL_UNDELIVERABLE, "The debtor's email address bounced at the sending provider; "
          + "no email until the debtor's email address changes");
    }
    return null;
  }

  /** The first time-bound rule refusing a contact at {@code t}, or null when none does. */
  private static Decision timing(ContactFacts f, Channel channel, Instant t) {
    if (channel == Channel.PHONE) {
      long calls = busiestWindow(f.callAttempts(), t);
      if (calls >= MAX_CALLS_IN_WINDOW) {
        return Decision.refused(CALL_FREQUENCY, calls + " other calls fall within 7 consecutive days of this one "
            + "(12 CFR 1006.14(b)(2)(i) allows 7)");
      }
      Instant conversation = lastConversation(f.conversations(), t);
      if (conversation != null) {
        return Decision.refused(CALL_AFTER_CONVERSATION, "A telephone conversation took place at " + conversation
            + "; no call for 7 days after it (12 CFR 1006.14(b)(2)(ii))");
      }
    }
    if (!convenient(zonesOf(f), t)) {
      return Decision.refused(INCONVENIENT_TIME, "It is before 8:00 or from 21:00 at the debtor's location ("
          + localTimes(zonesOf(f), t) + "; 12 CFR 1006.6(b)(1)(i))");
    }
    return null;
  }

  /** The first instant at or after {@code at} when no time-bound rule refuses; null if none within reach. */
  static Instant nextAllowed(ContactFacts f, Channel channel, Instant at) {
    Instant t = at;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      Instant next = t;
      if (channel == Channel.PHONE) {
        next = later(next, frequencyRelease(f.callAttempts(), next));
        next = later(next, conversationRelease(f.conversations(), next));
      }
      next = nextConvenient(zonesOf(f), next);
      if (next.equals(t)) {
        // Calls recorded after t (imported history) can fill a later window: no single release time then.
        return timing(f, channel, t) == null ? t : null;
      }
      t = next;
    }
    return null;
  }

  /**
   * The most calls already in any 7-day window that a call at {@code t} would fall in. Usually that is the
   * window ending at {@code t}; a back-dated call can also fill a window that ends at a later call.
   */
  private static long busiestWindow(List<Instant> calls, Instant t) {
    long most = callsInWindow(calls, t).count();
    for (Instant end : calls) {
      if (end.isAfter(t) && end.isBefore(t.plus(WINDOW))) {
        most = Math.max(most, callsInWindow(calls, end).count());
      }
    }
    return most;
  }

  private static Stream<Instant> callsInWindow(List<Instant> calls, Instant t) {
    Instant from = t.minus(WINDOW);
    return calls.stream().filter(c -> c.isAfter(from) && !c.isAfter(t));
  }

  /** When enough calls of the window have aged out for one more call; null when none must. */
  private static Instant frequencyRelease(List<Instant> calls, Instant t) {
    List<Instant> window = callsInWindow(calls, t).sorted().toList();
    if (window.size() < MAX_CALLS_IN_WINDOW) {
      return null;
    }
    return window.get(window.size() - MAX_CALLS_IN_WINDOW).plus(WINDOW);
  }

  private static Instant lastConversation(List<Instant> conversations, Instant t) {
    Instant from = t.minus(WINDOW);
    return conversations.stream().filter(c -> c.isAfter(from) && !c.isAfter(t)).max(Instant::compareTo).orElse(null);
  }

  private static Instant conversationRelease(List<Instant> conversations, Instant t) {
    Instant last = lastConversation(conversations, t);
    return last == null ? null : last.plus(WINDOW);
  }

  static List<ZoneId> zonesOf(ContactFacts f) {
    return f.zones().isEmpty() ? ALL_US_ZONES : f.zones();
  }

  /** True when {@code t} is from 8:00 to before 21:00 in every zone. */
  static boolean convenient(List<ZoneId> zones, Instant t) {
    for (ZoneId z : zones) {
      LocalTime local = t.atZone(z).toLocalTime();
      if (local.isBefore(EARLIEST) || !local.isBefore(LATEST)) {
        return false;
      }
    }
    return true;
  }

  /** The first instant at or after {@code t} that is convenient in every zone. */
  static Instant nextConvenient(List<ZoneId> zones, Instant t) {
    Instant candidate = t;
    for (int round = 0; round < MAX_ROUNDS && !convenient(zones, candidate); round++) {
      for (ZoneId z : zones) {
        ZonedDateTime local = candidate.atZone(z);
        LocalTime time = local.toLocalTime();
        if (time.isBefore(EARLIEST)) {
          candidate = later(candidate, local.toLocalDate().atTime(EARLIEST).atZone(z).toInstant());
        } else if (!time.isBefore(LATEST)) {
          candidate = later(candidate, local.toLocalDate().plusDays(1).atTime(EARLIEST).atZone(z).toInstant());
        }
      }
    }
    return candidate;
  }

  private static String localTimes(List<ZoneId> zones, Instant t) {
    StringBuilder s = new StringBuilder();
    for (ZoneId z : zones) {
      if (!s.isEmpty()) {
        s.append(", ");
      }
      s.append(t.atZone(z).toLocalTime().withNano(0)).append(' ').append(z.getId());
    }
    return s.toString();
  }

  private static Instant later(Instant a, Instant b) {
    return b != null && b.isAfter(a) ? b : a;
  }
}
