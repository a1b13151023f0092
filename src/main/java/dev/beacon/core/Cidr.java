package dev.beacon.core;

import dev.beacon.core.IpAddresses;

import java.net.InetAddress;
import java.util.Arrays;

/** An IPv4 or IPv6 network such as {@code 52.96.0.0/14}, for scanner lists. */
public record Cidr(byte[] network, int prefix, String text) {

  /** Parses {@code address/prefix}; throws IllegalArgumentException naming the bad entry. */
  public static Cidr parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    InetAddress a = IpAddresses.parse(slash < 0 ? t : t.substring(0, slash));
    if (a == null) {
      throw new IllegalArgumentException("tracking.scannerCidrs: '" + text + "' is not an IP network");
    }
    int bits = a.getAddress().length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(t.substring(slash + 1));
    } catch (NumberFormatException e) {
      prefix = -1;
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("tracking.scannerCidrs: '" + text + "' has a bad prefix length");
    }
    return new Cidr(IpAddresses.mask(a.getAddress(), prefix), prefix, t);
  }

  public boolean contains(InetAddress address) {
    byte[] b = address.getAddress();
    return b.length == network.length && Arrays.equals(IpAddresses.mask(b, prefix), network);
  }

  @Override
  public String toString() {
    return text;
  }
}
