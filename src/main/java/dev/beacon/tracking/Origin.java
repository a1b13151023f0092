package dev.beacon.tracking;

import dev.beacon.config.BeaconConfig;
import dev.beacon.http.ClientAddress;
import dev.beacon.http.Headers;
import dev.beacon.core.IpAddresses;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the journal keeps of a tracking request's origin: the client address as {@code tracking.ipStorage}
 * stores it (the full address never reaches the disk unless that says {@code full}) and the request-shape bits
 * the classifier needs, the scanner network the full address falls in included.
 */
public final class Origin {
  private static final CharSequence SEC_PURPOSE = Headers.SEC_PURPOSE;
  private static final CharSequence PURPOSE = Headers.PURPOSE;
  private static final CharSequence X_MOZ = Headers.X_MOZ;

  private final BeaconConfig.IpStorage storage;
  private final ClientAddress clients;
  private final Classifier classifier;

  public Origin(BeaconConfig config) {
    this(config, Classifier.of(config.tracking().scannerCidrs()));
  }

  /** The client is the peer, or behind {@code http.trustedProxies} the address they forward ({@link ClientAddress}). */
  Origin(BeaconConfig config, Classifier classifier) {
    this.storage = config.tracking().ipStorage();
    this.clients = ClientAddress.of(config);
    this.classifier = classifier;
  }

  /** A request's address and signals (without the Accept rule, which is a click's: see {@link #acceptBit}). */
  public record Seen(String ip, int signals) {}

  public Seen of(HttpServerRequest req) {
    Peer peer = peer(req);
    int s = bits(req.method() == HttpMethod.HEAD, req.getHeader(SEC_PURPOSE), req.getHeader(PURPOSE),
        req.getHeader(X_MOZ), peer.network());
    return new Seen(peer.stored(), s);
  }

  /** A client address as stored, and the index of the scanner network it falls in (-1: none). */
  private record Peer(String stored, int network) {}

  /*
   * Without trusted proxies the client is the peer, whose address text Vert.x keeps per connection: what it
   * stores as and its scanner network are remembered by that text (parsing, masking and formatting it cost
   * several µs per tracking request). At most PEERS addresses; the map starts over when full.
   */
  private static final int PEERS = 4096;
  private final Map<String, Peer> peers = new ConcurrentHashMap<>();

  private Peer peer(HttpServerRequest req) {
    if (!clients.direct()) {
      return peerOf(clients.client(req));
    }
    String host = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    if (host == null) {
      return peerOf(null);
    }
    Peer p = peers.get(host);
    if (p == null) {
      p = peerOf(IpAddresses.parse(host));
      if (peers.size() >= PEERS) {
        peers.clear();
      }
      peers.put(host, p);
    }
    return p;
  }

  private Peer peerOf(InetAddress ip) {
    return new Peer(IpAddresses.stored(ip, storage), classifier.scannerNetwork(ip));
  }

  /** The journal's bits for these request-shape signals and scanner network index (-1: none). */
  static int bits(boolean head, String secPurpose, String purpose, String xMoz, int network) {
    int s = head ? Journal.HEAD : 0;
    if (prefetch(secPurpose) || prefetch(purpose) || prefetch(xMoz)) {
      s |= Journal.PREFETCH;
    }
    return network >= 0 ? s | (network + 1) << Journal.NETWORK_SHIFT : s;
  }

  static int acceptBit(HttpServerRequest req) {
    return acceptBit(req.getHeader(HttpHeaders.ACCEPT));
  }

  /** The Accept rule's bit: a click whose Accept lacks text/html (a missing header counts as lacking it). */
  static int acceptBit(String accept) {
    return accept == null || !accept.toLowerCase(Locale.ROOT).contains("text/html") ? Journal.ACCEPT_NOT_HTML : 0;
  }

  private static boolean prefetch(String header) {
    return header != null && header.toLowerCase(Locale.ROOT).contains("prefetch");
  }
}
