package dev.beacon.debtors;

import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * US state and territory codes with their IANA time zones, most populous zone first. States spanning
 * several zones list each one: the compliance gate allows only hours that are convenient in all of them.
 */
public final class UsStates {
  private static final String ET = "America/New_York";
  private static final String CT = "America/Chicago";
  private static final String MT = "America/Denver";
  private static final String PT = "America/Los_Angeles";

  private static final Map<String, List<String>> ZONES = Map.ofEntries(
      Map.entry("AL", List.of(CT)), Map.entry("AK", List.of("America/Anchorage", "America/Adak")),
      Map.entry("AZ", List.of("America/Phoenix", MT)), Map.entry("AR", List.of(CT)),
      Map.entry("CA", List.of(PT)), Map.entry("CO", List.of(MT)), Map.entry("CT", List.of(ET)),
      Map.entry("DE", List.of(ET)), Map.entry("DC", List.of(ET)), Map.entry("FL", List.of(ET, CT)),
      Map.entry("GA", List.of(ET)), Map.entry("HI", List.of("Pacific/Honolulu")),
      Map.entry("ID", List.of("America/Boise", PT)), Map.entry("IL", List.of(CT)),
      Map.entry("IN", List.of("America/Indiana/Indianapolis", CT)), Map.entry("IA", List.of(CT)),
      Map.entry("KS", List.of(CT, MT)), Map.entry("KY", List.of(ET, CT)), Map.entry("LA", List.of(CT)),
      Map.entry("ME", List.of(ET)), Map.entry("MD", List.of(ET)), Map.entry("MA", List.of(ET)),
      Map.entry("MI", List.of("America/Detroit", "America/Menominee")), Map.entry("MN", List.of(CT)),
      Map.entry("MS", List.of(CT)), Map.entry("MO", List.of(CT)), Map.entry("MT", List.of(MT)),
      Map.entry("NE", List.of(CT, MT)), Map.entry("NV", List.of(PT, MT)), Map.entry("NH", List.of(ET)),
      Map.entry("NJ", List.of(ET)), Map.entry("NM", List.of(MT)), Map.entry("NY", List.of(ET)),
      Map.entry("NC", List.of(ET)), Map.entry("ND", List.of(CT, MT)), Map.entry("OH", List.of(ET)),
      Map.entry("OK", List.of(CT)), Map.entry("OR", List.of(PT, "America/Boise")), Map.entry("PA", List.of(ET)),
      Map.entry("RI", List.of(ET)), Map.entry("SC", List.of(ET)), Map.entry("SD", List.of(CT, MT)),
      Map.entry("TN", List.of(CT, ET)), Map.entry("TX", List.of(CT, MT)), Map.entry("UT", List.of(MT)),
      Map.entry("VT", List.of(ET)), Map.entry("VA", List.of(ET)), Map.entry("WA", List.of(PT)),
      Map.entry("WV", List.of(ET)), Map.entry("WI", List.of(CT)), Map.entry("WY", List.of(MT)),
      Map.entry("PR", List.of("America/Puerto_Rico")), Map.entry("VI", List.of("America/St_Thomas")),
      Map.entry("GU", List.of("Pacific/Guam")), Map.entry("MP", List.of("Pacific/Saipan")),
      Map.entry("AS", List.of("Pacific/Pago_Pago")));

  private UsStates() {}

  public static boolean isKnown(String code) {
    return code != null && ZONES.containsKey(code);
  }

  /** Every zone the state spans, most populous first; empty for an unknown code. */
  public static List<ZoneId> zones(String code) {
    return code == null ? List.of() : ZONES.getOrDefault(code, List.of()).stream().map(ZoneId::of).toList();
  }

  /** The zone most of the state's residents live in. */
  public static Optional<ZoneId> primaryZone(String code) {
    return zones(code).stream().findFirst();
  }

  public static List<String> codes() {
    return ZONES.keySet().stream().sorted().toList();
  }
}
