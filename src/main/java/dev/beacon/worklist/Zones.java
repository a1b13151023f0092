package dev.beacon.worklist;

import dev.beacon.debtors.UsStates;

import java.time.ZoneId;

/**
 * The one zone a debtor's local time and hours of the week are read in: their timezone, else their state's main
 * zone, else US Eastern (where most of the US population lives). The gate still checks every zone the debtor may
 * be in; this zone only names hours.
 */
final class Zones {
  static final ZoneId DEFAULT = ZoneId.of("America/New_York");

  private Zones() {}

  static ZoneId reference(String timezone, String state) {
    if (timezone != null) {
      return ZoneId.of(timezone);
    }
    return UsStates.primaryZone(state).orElse(DEFAULT);
  }
}
