package dev.beacon.tracking;

import dev.beacon.core.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;

/**
 * Labels an open, a click or a page view {@code human}, {@code machine} (privacy proxy, prefetch, link preview) or
 * {@code scanner} (security scanner), with the reason. Pure: it sees only what the request carries. The two timing
 * rules (a hit within {@code tracking.sendWindow} of the send; a burst of distinct links) need stored data and are
 * applied inside the writer's SQL ({@link EmailEventSql}, {@link PageViewSql}), with the thresholds defined here.
 */
public final class Classifier {
  /** How far back a click looks for other links of the same message. */
  public static final int BURST_SECONDS = 30;
  /** This many distinct links of one message clicked within {@link #BURST_SECONDS} make a scanner. */
  public static final int BURST_LINKS = 3;
  /** A page view this soon after a scanner's click of the same debtor is the scanner following the link. */
  public static final int SCANNER_FOLLOW_SECONDS = 30;

  /** human / machine / scanner, as stored in email_events.label. */
  public enum Label {
    HUMAN, MACHINE, SCANNER;

    public String db() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The label stored as {@code db} (human, machine or scanner). */
    public static Label of(String db) {
      return switch (db) {
        case "human" -> HUMAN;
        case "machine" -> MACHINE;
        case "scanner" -> SCANNER;
        default -> throw new IllegalArgumentException("not a label: " + db);
      };
    }
  }

  /** open or click (email_events.kind), or a page view (page_views, classified the same way). */
  public enum Kind {
    OPEN, CLICK, VIEW;

    public String db() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A label and why. */
  public record Verdict(Label label, String reason) {}

  /**
   * What a hit carried. {@code accept} is null when unknown (imports); a live request without the header
   * passes "". {@code ip} is the full address (before any truncation), or null.
   */
  public record Signals(Kind kind, boolean head, String userAgent, String accept, String secPurpose,
                        String purpose, String xMoz, InetAddress ip) {}

  private record Marker(String needle, Label label, String reason) {}

  /** Case-insensitive user-agent substrings, scanners first (a scanner label wins over machine). */
  private static final List<Marker> MARKERS = List.of(
      new Marker("headlesschrome", Label.SCANNER, "headless browser (HeadlessChrome)"),
      new Marker("proofpoint", Label.SCANNER, "Proofpoint URL Defense scanner"),
      new Marker("mimecast", Label.SCANNER, "Mimecast URL Protect scanner"),
      new Marker("barracuda", Label.SCANNER, "Barracuda link protection scanner"),
      new Marker("ironport", Label.SCANNER, "Cisco IronPort scanner"),
      new Marker("safelinks", Label.SCANNER, "Microsoft Defender Safe Links scanner"),
      new Marker("safe links", Label.SCANNER, "Microsoft Defender Safe Links scanner"),
      new Marker("googleimageproxy", Label.MACHINE, "Gmail image proxy (GoogleImageProxy)"),
      new Marker("yahoomailproxy", Label.MACHINE, "Yahoo Mail image proxy (YahooMailProxy)"),
      new Marker("microsoft office existence discovery", Label.MACHINE, "Microsoft Office link discovery"),
      new Marker("microsoft office protocol discovery", Label.MACHINE, "Microsoft Office link discovery"),
      new Marker("ms-office", Label.MACHINE, "Microsoft Office link discovery (ms-office)"),
      // Link expanders and URL-reputation services that fetch links of messages (SMS and email) before a person.
      new Marker("virustotal", Label.SCANNER, "URL security scanner (VirusTotal)"),
      new Marker("urlscan", Label.SCANNER, "URL security scanner (urlscan.io)"),
      new Marker("zscaler", Label.SCANNER, "URL security scanner (Zscaler)"),
      new Marker("trendmicro", Label.SCANNER, "URL security scanner (Trend Micro)"),
      new Marker("google-safety", Label.SCANNER, "URL security scanner (Google-Safety)"),
      // Telegram says "TelegramBot (like TwitterBot)": named before Twitterbot.
      new Marker("telegrambot", Label.MACHINE, "link preview (TelegramBot)"),
      // Messaging apps' link previews. iMessage (Apple Messages) fetches as "facebookexternalhit/1.1 Facebot
      // Twitterbot/1.0", so it is named before the two it contains.
      new Marker("facebot twitterbot", Label.MACHINE, "link preview (Apple iMessage)"),
      new Marker("com.google.android.apps.messaging", Label.MACHINE, "link preview (Google Messages)"),
      new Marker("google-rcs", Label.MACHINE, "link preview (Google Messages RCS)"),
      new Marker("viber", Label.MACHINE, "link preview (Viber)"),
      new Marker("snapchat", Label.MACHINE, "link preview (Snapchat)"),
      new Marker("applebot", Label.MACHINE, "link preview (Applebot)"),
      new Marker("iframely", Label.MACHINE, "link preview service (Iframely)"),
      new Marker("embedly", Label.MACHINE, "link preview service (Embedly)"),
      new Marker("unshorten", Label.MACHINE, "link expander (unshorten)"),
      new Marker("linkexpander", Label.MACHINE, "link expander"),
      new Marker("slackbot", Label.MACHINE, "link preview (Slackbot)"),
      new Marker("facebookexternalhit", Label.MACHINE, "link preview (facebookexternalhit)"),
      new Marker("twitterbot", Label.MACHINE, "link preview (Twitterbot)"),
      new Marker("whatsapp", Label.MACHINE, "link preview (WhatsApp)"),
      new Marker("linkedinbot", Label.MACHINE, "link preview (LinkedInBot)"),
      new Marker("discordbot", Label.MACHINE, "link preview (Discordbot)"),
      new Marker("skypeuripreview", Label.MACHINE, "link preview (SkypeUriPreview)"),
      new Marker("curl/", Label.MACHINE, "scripted HTTP client (curl)"),
      new Marker("wget/", Label.MACHINE, "scripted HTTP client (Wget)"),
      new Marker("python-requests", Label.MACHINE, "scripted HTTP client (python-requests)"),
      new Marker("go-http-client", Label.MACHINE, "scripted HTTP client (Go)"));

  /** Apple Mail Privacy Protection fetches with this user agent and nothing else. */
  private static final String APPLE_MPP = "Mozilla/5.0";

  private final List<Cidr> scannerNetworks;

  public Classifier(List<Cidr> scannerNetworks) {
    this.scannerNetworks = List.copyOf(scannerNetworks);
  }

  /** Parses {@code tracking.scannerCidrs}; throws IllegalArgumentException naming a bad entry. */
  public static Classifier of(List<String> cidrs) {
    return new Classifier(cidrs.stream().map(Cidr::parse).toList());
  }

  /** The index in {@code tracking.scannerCidrs} of the first scanner network holding {@code ip}, or -1. */
  public int scannerNetwork(InetAddress ip) {
    if (ip != null) {
      for (int k = 0; k < scannerNetworks.size(); k++) {
        if (scannerNetworks.get(k).contains(ip)) {
          return k;
        }
      }
    }
    return -1;
  }

  public Verdict classify(Signals s) {
    return classify(s, scannerNetwork(s.ip()));
  }

  /**
   * As {@link #classify(Signals)}, with the scanner network already looked up on the full address ({@code -1}:
   * none); the journal keeps only the stored address and this index.
   */
  public Verdict classify(Signals s, int scannerNetwork) {
    if (scannerNetwork >= 0) {
      return new Verdict(Label.SCANNER, "scanner network "
          + (scannerNetwork < scannerNetworks.size() ? scannerNetworks.get(scannerNetwork) : "#" + scannerNetwork));
    }
    String ua = s.userAgent() == null ? "" : s.userAgent().trim();
    if (ua.isEmpty()) {
      return new Verdict(Label.MACHINE, "no user agent");
    }
    if (ua.equals(APPLE_MPP)) {
      return new Verdict(Label.MACHINE, "Apple Mail Privacy Protection (bare Mozilla/5.0)");
    }
    String lower = ua.toLowerCase(Locale.ROOT);
    for (Marker m : MARKERS) {
      if (lower.contains(m.needle())) {
        return new Verdict(m.label(), m.reason());
      }
    }
    if (s.head()) {
      return new Verdict(Label.MACHINE, "HEAD request");
    }
    if (isPrefetch(s.secPurpose()) || isPrefetch(s.purpose()) || isPrefetch(s.xMoz())) {
      return new Verdict(Label.MACHINE, "prefetch");
    }
    if (s.kind() == Kind.CLICK && s.accept() != null && !s.accept().toLowerCase(Locale.ROOT).contains("text/html")) {
      return new Verdict(Label.SCANNER, "click without text/html in Accept");
    }
    return new Verdict(Label.HUMAN, "browser");
  }

  private static boolean isPrefetch(String header) {
    return header != null && header.toLowerCase(Locale.ROOT).contains("prefetch");
  }
}
