package dev.beacon.sending;

import dev.beacon.http.Problem;
import dev.beacon.tracking.LinkSigner;
import dev.beacon.tracking.ShortCodes;
import dev.beacon.tracking.pages.Html;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Turns a message into what is sent (pure, no I/O): merge fields filled, every http(s) link of the HTML and the
 * text replaced by its signed click link (email) or a short link (SMS), the open pixel added once, and the
 * headers that carry the RFC 8058 one-click unsubscribe and the communication id.
 */
public final class Instrumenter {
  public static final String COMMUNICATION_ID_HEADER = "X-Beacon-Communication-Id";
  /** The provider-argument name that carries the communication id (SendGrid, Mailgun, Postmark, SES). */
  public static final String ARG = "beacon_communication_id";
  static final String ONE_CLICK = "List-Unsubscribe=One-Click";

  /** What is being sent: an SMS or an email, and the agency's parts (any may be null). */
  public record Message(boolean sms, String subject, String html, String text) {}

  /** Who receives it: the page token and what merge fields may print. */
  public record Recipient(String token, String firstName, BigDecimal balance) {}

  private final LinkSigner signer;
  private final String currency;
  private final String unsubscribeMailto;
  private final Supplier<String> codes;

  public Instrumenter(LinkSigner signer, String currency, String unsubscribeMailto, Supplier<String> codes) {
    this.signer = signer;
    this.currency = currency;
    this.unsubscribeMailto = unsubscribeMailto;
    this.codes = codes;
  }

  /** The longest subject the audit trail stores (communications.subject). */
  public static final int SUBJECT_MAX = 500;

  /**
   * The message as it is to be sent. Fails with a 400 naming {@code subject} when its merge fields make it
   * longer than {@link #SUBJECT_MAX}.
   */
  public Instrumented instrument(Message m, Recipient to, String base, UUID communicationId) {
    String id = communicationId.toString();
    Map<String, String> values = Map.of(
        "landingUrl", base + "/p/" + to.token(),
        "paymentUrl", base + "/p/" + to.token() + "/pay",
        "optOutUrl", base + "/p/" + to.token() + "/opt-out",
        "firstName", to.firstName() == null ? "" : to.firstName(),
        "balance", to.balance() == null ? "" : Html.money(to.balance(), currency));
    String subject = MergeFields.fill(m.subject(), values, UnaryOperator.identity());
    if (subject != null && subject.length() > SUBJECT_MAX) {
      throw Problem.invalid("subject", "must be at most " + SUBJECT_MAX + " characters once its merge fields are filled");
    }
    String html = MergeFields.fill(m.html(), values, Html::esc);
    String text = MergeFields.fill(m.text(), values, UnaryOperator.identity());
    List<Instrumented.Link> links = new ArrayList<>();
    List<Instrumented.Skipped> skipped = new ArrayList<>();
    if (m.sms()) {
      List<Instrumented.ShortLink> shorts = new ArrayList<>();
      String sms = text == null ? null : TextLinks.rewrite(text, url -> {
        String reason = skipReason(base, url);
        if (reason != null) {
          skipped.add(new Instrumented.Skipped("text", url, reason));
          return url;
        }
        String code = codes.get();
        Instrumented.ShortLink s = new Instrumented.ShortLink(code, base + ShortCodes.PATH + code, url);
        shorts.add(s);
        links.add(new Instrumented.Link("text", url, s.url()));
        return s.url();
      });
      return new Instrumented(subject, null, sms, Map.of(), new JsonObject().put("twilio", new JsonObject()
          .put("StatusCallback", base + "/webhooks/twilio/status?communicationId=" + id)), links, skipped, shorts,
          SmsLength.of(sms == null ? "" : sms));
    }
    UnaryOperator<String> track = url -> signer.trackedUrl(base, to.token(), id, url);
    String outHtml = null;
    if (html != null) {
      String pixelUrl = base + "/t/o/" + to.token() + "/" + id + ".gif";
      HtmlLinks.Result r = HtmlLinks.rewrite(html, track, url -> skipReason(base, url), pixel(html, base, pixelUrl));
      for (HtmlLinks.Outcome o : r.links()) {
        if (o.tracked() != null) {
          links.add(new Instrumented.Link("html", o.target(), o.tracked()));
        } else {
          skipped.add(new Instrumented.Skipped("html", o.href(), o.reason()));
        }
      }
      outHtml = r.html();
    }
    String outText = text == null ? null : TextLinks.rewrite(text, url -> {
      String reason = skipReason(base, url);
      if (reason != null) {
        skipped.add(new Instrumented.Skipped("text", url, reason));
        return url;
      }
      String tracked = track.apply(url);
      links.add(new Instrumented.Link("text", url, tracked));
      return tracked;
    });
    return new Instrumented(subject, outHtml, outText, headers(base, to.token(), id), providerArgs(id), links,
        skipped, List.of(), null);
  }

  /** Why an http(s) URL is left alone: one of Beacon's tracked links already, or not a URL Beacon signs. */
  private static String skipReason(String base, String url) {
    if (url.startsWith(base + "/t/") || url.startsWith(base + ShortCodes.PATH)) {
      return "already-tracked";
    }
    return LinkSigner.allowedTarget(url) ? null : "invalid";
  }

  /** The pixel tag, or null when the HTML already carries one of Beacon's pixels for this message. */
  private static String pixel(String html, String base, String pixelUrl) {
    if (html.contains(pixelUrl) || html.contains(base + "/t/o/")) {
      return null;
    }
    return "<img src=\"" + pixelUrl + "\" width=\"1\" height=\"1\" alt=\"\" "
        + "style=\"display:block;width:1px;height:1px;border:0\">";
  }

  private Map<String, String> headers(String base, String token, String id) {
    Map<String, String> h = new LinkedHashMap<>();
    String oneClick = "<" + base + "/t/u/" + token + "/" + id + ">";
    h.put("List-Unsubscribe", unsubscribeMailto.isEmpty() ? oneClick : oneClick + ", <mailto:" + unsubscribeMailto
        + "?subject=" + URLEncoder.encode("unsubscribe " + id, StandardCharsets.UTF_8).replace("+", "%20") + ">");
    h.put("List-Unsubscribe-Post", ONE_CLICK);
    h.put(COMMUNICATION_ID_HEADER, id);
    return h;
  }

  /** The communication id as each provider carries custom data back in its events (COMMON.md contract). */
  private static JsonObject providerArgs(String id) {
    JsonObject arg = new JsonObject().put(ARG, id);
    return new JsonObject()
        .put("sendgrid", new JsonObject().put("custom_args", arg.copy()))
        .put("mailgun", new JsonObject().put("v:" + ARG, id)
            .put("headers", new JsonObject().put("X-Mailgun-Variables", arg.encode())))
        .put("postmark", new JsonObject().put("Metadata", arg.copy()))
        .put("ses", new JsonObject().put("Tags", new JsonArray().add(new JsonObject().put("Name", ARG).put("Value", id))));
  }
}
