package dev.beacon.dashboard;

/** {@code If-None-Match} against an entity tag, with the weak comparison RFC 9110 prescribes for it. */
final class ETags {
  private ETags() {}

  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
      return false;
    }
    String opaque = strip(etag);
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.equals("*") || strip(c).equals(opaque)) {
        return true;
      }
    }
    return false;
  }

  private static String strip(String tag) {
    return tag.startsWith("W/") ? tag.substring(2) : tag;
  }
}
