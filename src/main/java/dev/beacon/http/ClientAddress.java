package dev.beacon.http;

import dev.beacon.config.BeaconConfig;
import dev.beacon.core.Cidr;
import dev.beacon.core.IpAddresses;
import io.vertx.core.http.HttpServerRequest;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who sent a request, and by which scheme and host it was addressed, with {@code http.trustedProxies}: only when
 * the peer is in one of those networks are {@code Forwarded} (RFC 7239), else {@code X-Forwarded-For},
 * {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} read; the client is the right-most address of the chain
 * that is not itself a trusted proxy. From any other peer the headers are ignored. With no trusted proxies (the
 * default) no header is even looked at, so the tracking hot path pays nothing.
 */
public final class ClientAddress {
  private static final ClientAddress DIRECT = new ClientAddress(List.of());
  private static volatile ClientAddress last = DIRECT;

  private final List<Cidr> trusted;

  private ClientAddress(List<Cidr> trusted) {
    this.trusted = trusted;
  }

  /** For a configuration's {@code http.trustedProxies} (validated at load). */
  public static ClientAddress of(BeaconConfig config) {
    List<String> proxies = config.ops().trustedProxies();
    if (proxies.isEmpty()) {
      return DIRECT;
    }
    ClientAddress cached = last;
    if (cached.trusted.stream().map(Cidr::text).toList().equals(proxies)) {
      return cached;
    }
    ClientAddress made = new ClientAddress(proxies.stream().map(Cidr::parse).toList());
    last = made;
    return made;
  }

  /** A network or single address, or null when the text is neither (for validating the configuration). */
  public static Cidr cidr(String text) {
    try {
      return Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** True when no proxy is trusted: the client is always the connection's peer. */
  public boolean direct() {
    return trusted.isEmpty();
  }

  /** The client's address (never a DNS lookup), or null when the peer's address is unknown. */
  public InetAddress client(HttpServerRequest req) {
    InetAddress peer = IpAddresses.parse(req.remoteAddress() == null ? null : req.remoteAddress().hostAddress());
    if (trusted.isEmpty() || peer == null || !isTrusted(peer)) {
      return peer;
    }
    InetAddress client = peer;
    List<String> chain = chain(req);
    for (int i = chain.size() - 1; i >= 0; i--) {
      InetAddress hop = IpAddresses.parse(stripPort(chain.get(i)));
      if (hop == null) {
        // "unknown" or an obfuscated name: the nearest readable hop is as far as the chain can be believed.
        return client;
      }
      client = hop;
      if (!isTrusted(hop)) {
        return hop;
      }
    }
    return client;
  }

  /** {@code http} or {@code https}: as the trusted proxy says the client used, else the connection's own. */
  public String scheme(HttpServerRequest req) {
    String own = req.scheme();
    if (!fromTrustedProxy(req)) {
      return own;
    }
    String proto = lastParam(req, "proto");
    if (proto == null) {
      proto = lastValue(req.headers().getAll(Headers.X_FORWARDED_PROTO));
    }
    proto = proto == null ? null : proto.toLowerCase(Locale.ROOT);
    return "http".equals(proto) || "https".equals(proto) ? proto : own;
  }

  /** The host (and port) the client addressed, as a trusted proxy says, else the request's own authority. */
  public String host(HttpServerRequest req, String fallback) {
    if (fromTrustedProxy(req)) {
      String host = lastParam(req, "host");
      if (host == null) {
        host = lastValue(req.headers().getAll(Headers.X_FORWARDED_HOST));
      }
      if (host != null && host.matches("[A-Za-z0-9.\\-\\[\\]:]{1,255}")) {
        return host;
      }
    }
    var authority = req.authority();
    return authority == null ? fallback : authority.toString();
  }

  private boolean fromTrustedProxy(HttpServerRequest req) {
    if (trusted.isEmpty()) {
      return false;
    }
    InetAddress peer = IpAddresses.parse(req.remoteAddress() == null ? null : req.remoteAddress().hostAddress());
    return peer != null && isTrusted(peer);
  }

  private boolean isTrusted(InetAddress a) {
    for (Cidr c : trusted) {
      if (c.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /** The forwarding chain, client first: {@code Forwarded}'s {@code for=} values, else {@code X-Forwarded-For}. */
  static List<String> chain(HttpServerRequest req) {
    List<String> out = new ArrayList<>();
    List<String> forwarded = req.headers().getAll(Headers.FORWARDED);
    if (!forwarded.isEmpty()) {
      for (String header : forwarded) {
        for (String element : header.split(",")) {
          String f = param(element, "for");
          out.add(f == null ? "unknown" : f);
        }
      }
      return out;
    }
    for (String header : req.headers().getAll(Headers.X_FORWARDED_FOR)) {
      for (String part : header.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  /** A parameter of one {@code Forwarded} element ({@code for=1.2.3.4;proto=https}), unquoted, or null. */
  static String param(String element, String name) {
    for (String pair : element.split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).trim().equalsIgnoreCase(name)) {
        String v = pair.substring(eq + 1).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        return v.isEmpty() ? null : v;
      }
    }
    return null;
  }

  private static String lastParam(HttpServerRequest req, String name) {
    List<String> forwarded = req.headers().getAll(Headers.FORWARDED);
    String found = null;
    for (String header : forwarded) {
      for (String element : header.split(",")) {
        String v = param(element, name);
        if (v != null) {
          found = v;
        }
      }
    }
    return found;
  }

  private static String lastValue(List<String> headers) {
    String found = null;
    for (String header : headers) {
      for (String part : header.split(",")) {
        if (!part.isBlank()) {
          found = part.trim();
        }
      }
    }
    return found;
  }

  /** {@code 192.0.2.1:4711} → {@code 192.0.2.1}; {@code [2001:db8::1]:4711} → {@code 2001:db8::1}. */
  static String stripPort(String hop) {
    String h = hop.trim();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(1, end);
    }
    int colon = h.indexOf(':');
    return colon > 0 && colon == h.lastIndexOf(':') ? h.substring(0, colon) : h;
  }
}
