package dev.beacon.core;

import dev.beacon.config.BeaconConfig.IpStorage;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP literals: parsing without DNS, masking, and what {@code tracking.ipStorage} lets Beacon keep. */
public final class IpAddresses {
  private static final Pattern V4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  static final int V4_KEEP_BITS = 24;
  static final int V6_KEEP_BITS = 48;

  private IpAddresses() {}

  /** The address of an IPv4 or IPv6 literal, or null for anything else (never a DNS lookup). */
  public static InetAddress parse(String literal) {
    if (literal == null) {
      return null;
    }
    String s = literal;
    int scope = s.indexOf('%');
    if (scope >= 0) {
      s = s.substring(0, scope);
    }
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    boolean v4 = V4.matcher(s).matches();
    if (!v4 && !(s.indexOf(':') >= 0 && V6.matcher(s).matches())) {
      return null;
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** The text Beacon stores for {@code address}: all of it, its /24 or /48 network, or nothing. */
  public static String stored(InetAddress address, IpStorage mode) {
    if (address == null || mode == IpStorage.NONE) {
      return null;
    }
    if (mode == IpStorage.FULL) {
      return address.getHostAddress();
    }
    byte[] b = address.getAddress();
    try {
      return InetAddress.getByAddress(mask(b, b.length == 4 ? V4_KEEP_BITS : V6_KEEP_BITS)).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xFF << (8 - keep)));
    }
    return out;
  }
}
