package dev.beacon.tracking;

/** The one clip of a user agent before it is journaled or stored (pixel, click, beacon, debtor pages, imports). */
public final class UserAgent {
  /** The longest user agent kept; real browsers send a few hundred characters. */
  public static final int MAX_LENGTH = 1000;

  private UserAgent() {}

  /** {@code userAgent} cut to {@link #MAX_LENGTH} characters; null stays null. */
  public static String clip(String userAgent) {
    return userAgent == null || userAgent.length() <= MAX_LENGTH ? userAgent : userAgent.substring(0, MAX_LENGTH);
  }
}
