package dev.beacon.delivery;

import java.util.List;

/**
 * What a verified webhook body holds: the events Beacon uses, how many were of a type it does not use
 * (acknowledged and counted) and how many could not be read (skipped; the others still count).
 */
record Parsed(List<DeliveryEvent> events, int ignored, int invalid) {
  static Parsed one(DeliveryEvent e) {
    return new Parsed(List.of(e), 0, 0);
  }

  static Parsed ignoredOne() {
    return new Parsed(List.of(), 1, 0);
  }
}
