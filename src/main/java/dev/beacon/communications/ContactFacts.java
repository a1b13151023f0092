package dev.beacon.communications;

import dev.beacon.debtors.UsStates;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/**
 * What the compliance gate knows about a debtor at the moment of a contact: status, consent flags, DNC,
 * the zones their local time is read in, opted-out channels, and their recent telephone history.
 *
 * @param zones every zone the debtor may be in (one when their timezone is known; all of their state's
 *              zones otherwise; empty when neither is known)
 * @param callAttempts when outbound calls were placed (any outcome)
 * @param conversations when a telephone conversation took place (an answered outbound call or an inbound call)
 * @param emailUndeliverable the debtor's current email address hard-bounced (or soft-bounced too many times in a
 *                           row) at the provider that sends it
 */
public record ContactFacts(String status, boolean emailConsent, boolean phoneConsent, boolean dncRegistered,
                           List<ZoneId> zones, Set<Channel> optedOut, List<Instant> callAttempts,
                           List<Instant> conversations, boolean emailUndeliverable) {

  /** Facts with a deliverable email address (as before provider events existed). */
  public ContactFacts(String status, boolean emailConsent, boolean phoneConsent, boolean dncRegistered,
                      List<ZoneId> zones, Set<Channel> optedOut, List<Instant> callAttempts,
                      List<Instant> conversations) {
    this(status, emailConsent, phoneConsent, dncRegistered, zones, optedOut, callAttempts, conversations, false);
  }

  public ContactFacts {
    zones = List.copyOf(zones);
    optedOut = Set.copyOf(optedOut);
    callAttempts = List.copyOf(callAttempts);
    conversations = List.copyOf(conversations);
  }

  /** The debtor's own timezone when recorded, else every zone of their state, else none. */
  public static List<ZoneId> zonesOf(String timezone, String state) {
    if (timezone != null) {
      return List.of(ZoneId.of(timezone));
    }
    return UsStates.zones(state);
  }
}
