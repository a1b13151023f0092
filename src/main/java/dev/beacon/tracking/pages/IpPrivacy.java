package dev.beacon.tracking.pages;

import dev.beacon.config.BeaconConfig.IpStorage;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Cuts a client address down to what {@code tracking.ipStorage} allows Beacon to keep. */
public final class IpPrivacy {
  /** Only literal addresses are parsed, so {@link InetAddress#getByName} never resolves a name. */
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final int IPV4_KEPT_BYTES = 3;
  private static final int IPV6_KEPT_BYTES = 6;

  private IpPrivacy() {}

  /**
   * The address to store: the literal itself ({@code FULL}), its /24 or /48 network ({@code TRUNCATED}), or
   * null ({@code NONE}, or anything that is not an IP literal).
   */
  public static String stored(String address, IpStorage mode) {
    if (address == null || mode == IpStorage.NONE) {
      return null;
    }
    int zone = address.indexOf('%');
    String literal = zone >= 0 ? address.substring(0, zone) : address;
    if (literal.startsWith("[") && literal.endsWith("]")) {
      literal = literal.substring(1, literal.length() - 1);
    }
    if (!LITERAL.matcher(literal).matches()) {
      return null;
    }
    InetAddress ip;
    try {
      ip = InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      return null;
    }
    if (mode == IpStorage.FULL) {
      return ip.getHostAddress();
    }
    byte[] b = ip.getAddress();
    int kept = ip instanceof Inet4Address ? IPV4_KEPT_BYTES : IPV6_KEPT_BYTES;
    for (int i = kept; i < b.length; i++) {
      b[i] = 0;
    }
    try {
      InetAddress cut = InetAddress.getByAddress(b);
      return cut instanceof Inet6Address ? compact(cut.getHostAddress()) : cut.getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Java prints IPv6 in full ({@code 2001:db8:1:0:0:0:0:0}); PostgreSQL accepts it, people read the short form. */
  private static String compact(String full) {
    String s = full.replaceFirst("(^|:)(0(:|$)){2,}", "::");
    return s.equals(":::") ? "::" : s.replaceFirst(":::", "::");
  }
}
