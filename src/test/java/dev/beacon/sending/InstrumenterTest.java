package dev.beacon.sending;

import dev.beacon.tracking.LinkSigner;
import dev.beacon.tracking.ShortCodes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The pure instrumenting rules: links, pixel, merge fields, text URLs, SMS lengths and codes. */
class InstrumenterTest {
  static final String BASE = "https://beacon.example";
  static final String TOKEN = "tok_abcdefghijklmnopqrstuvwxyz012";
  static final UUID ID = UUID.fromString("0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee");
  static final LinkSigner SIGNER = new LinkSigner("unit-secret");
  final Instrumenter instrumenter = new Instrumenter(SIGNER, "usd", "", ShortCodes::newCode);

  static final String BUILDER_HTML = """
      <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\r
      <HTML xmlns="http://www.w3.org/1999/xhtml">\r
      <HEAD><META http-equiv="Content-Type" content="text/html; charset=UTF-8"><BASE HREF="https://agency.example/offers/">
      <title>Your balance</title><style>a { color: #1f5fbf; } /* <a href="https://in.css/"> */</style></HEAD>
      <BODY style="margin:0">
      <!--[if mso]><v:roundrect href="https://agency.example/mso"></v:roundrect><![endif]-->
      <table role="presentation" width="100%" cellpadding=0><tr><td>
        <table><tr><td class="btn"><A HREF="https://agency.example/pay?utm_source=email&amp;utm_campaign=nov#top" TARGET="_blank">Pay &amp; settle</A></td></tr></table>
        <p>Hi {{ firstName }}, you owe {{balance}}.&nbsp;&copy;</p>
        <a href=https://agency.example/unquoted?x=1>unquoted</a>
        <a href='relative/page.html'>relative</a> <a href="#section">anchor</a>
        <a href="mailto:help@agency.example">mail</a> <a href="tel:+15125550100">call</a>
        <a href="https://agency.example/keep" data-beacon-untracked>keep</a>
        <a href="{{landingUrl}}">view your account</a>
        <a href="https://beacon.example/t/c/old/link?u=x&amp;s=y">already tracked</a>
        <img src="https://agency.example/logo.png" usemap="#m" alt="logo">
        <map name="m"><area shape="rect" coords="0,0,10,10" href="https://agency.example/area"></map>
      </td></tr></table>
      </BODY>
      </HTML>
      """;

  Instrumented email(String html, String text) {
    return instrumenter.instrument(new Instrumenter.Message(false, "Hi {{firstName}}", html, text),
        new Instrumenter.Recipient(TOKEN, "Ann <O'Neil>", new BigDecimal("1250.5")), BASE, ID);
  }

  static String attr(String url) {
    return url.replace("&", "&amp;");
  }

  @Test
  @DisplayName("builder HTML: every http(s) href signed, the rest left and listed, and every other character kept")
  void builderHtml_linksRewritten_restByteIdentical() {
    Instrumented out = email(BUILDER_HTML, null);
    assertThat(out.links()).extracting(Instrumented.Link::url).containsExactly(
        "https://agency.example/pay?utm_source=email&utm_campaign=nov#top",
        "https://agency.example/unquoted?x=1",
        "https://agency.example/offers/relative/page.html",
        BASE + "/p/" + TOKEN,
        "https://agency.example/area");
    assertThat(out.skipped()).extracting(s -> s.href() + " " + s.reason()).containsExactly(
        "#section anchor", "mailto:help@agency.example not-http", "tel:+15125550100 not-http",
        "https://agency.example/keep marked", "https://beacon.example/t/c/old/link?u=x&s=y already-tracked");
    for (Instrumented.Link l : out.links()) {
      URI u = URI.create(l.trackedUrl());
      String query = u.getRawQuery();
      String target = URLDecoder.decode(query.substring(2, query.indexOf("&s=")), StandardCharsets.UTF_8);
      assertThat(target).isEqualTo(l.url());
      assertThat(SIGNER.verify(TOKEN, ID.toString(), target, query.substring(query.indexOf("&s=") + 3))).isTrue();
      assertThat(l.trackedUrl()).startsWith(BASE + "/t/c/" + TOKEN + "/" + ID + "?u=");
    }
    // Undo exactly the expected edits: what remains must be the merged input, character for character.
    String pixel = "<img src=\"" + BASE + "/t/o/" + TOKEN + "/" + ID + ".gif\" width=\"1\" height=\"1\" alt=\"\" "
        + "style=\"display:block;width:1px;height:1px;border:0\">";
    assertThat(out.html()).containsOnlyOnce(pixel).contains(pixel + "</BODY>");
    String undone = out.html().replace(pixel, "")
        .replace(attr(out.links().get(0).trackedUrl()), "https://agency.example/pay?utm_source=email&amp;utm_campaign=nov#top")
        .replace("\"" + attr(out.links().get(1).trackedUrl()) + "\"", "https://agency.example/unquoted?x=1")
        .replace(attr(out.links().get(2).trackedUrl()), "relative/page.html")
        .replace(attr(out.links().get(3).trackedUrl()), "{{landingUrl}}")
        .replace(attr(out.links().get(4).trackedUrl()), "https://agency.example/area")
        .replace("Ann &lt;O&#39;Neil&gt;", "{{ firstName }}").replace("$1,250.50", "{{balance}}");
    assertThat(undone).isEqualTo(BUILDER_HTML);
    assertThat(out.html()).contains("<v:roundrect href=\"https://agency.example/mso\">")
        .contains("<a href=\"https://in.css/\">");
    assertThat(out.subject()).isEqualTo("Hi Ann <O'Neil>");
  }

  @Test
  @DisplayName("the pixel goes once: before </body>, at the end without one, never when the HTML has Beacon's pixel")
  void pixel_once() {
    assertThat(email("<p>Hi <a href=\"https://x.example/\">x</a>", null).html())
        .endsWith(".gif\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;width:1px;height:1px;border:0\">")
        .startsWith("<p>Hi <a href=\"" + BASE + "/t/c/");
    String twice = email("<html><body><p>x</p></body></html>", null).html();
    assertThat(twice.split("/t/o/", -1)).hasSize(2);
    String again = email(twice, null).html();
    assertThat(again).isEqualTo(twice);
  }

  @Test
  @DisplayName("misnested and broken HTML is rewritten as far as it parses, each link once")
  void brokenHtml_stillRewritten() {
    String broken = "<div><b><a href=\"https://x.example/a\">one</b> two</a><p><a href=\"https://x.example/b\"><table><td>";
    Instrumented out = email(broken, null);
    assertThat(out.links()).extracting(Instrumented.Link::url).containsExactly("https://x.example/a", "https://x.example/b");
    assertThat(out.html()).startsWith("<div><b><a href=\"" + BASE + "/t/c/").contains("\">one</b> two</a><p><a href=\"");
  }

  @Test
  @DisplayName("text part: URLs replaced without trailing punctuation or brackets; merge fields unescaped")
  void textPart_urlsReplaced() {
    Instrumented out = email(null, "Hi {{firstName}}, pay at https://agency.example/pay?a=1&b=2. "
        + "(see https://agency.example/faq) or <https://agency.example/x>, mail help@agency.example; ftp://no");
    assertThat(out.links()).extracting(Instrumented.Link::url).containsExactly(
        "https://agency.example/pay?a=1&b=2", "https://agency.example/faq", "https://agency.example/x");
    assertThat(out.text()).startsWith("Hi Ann <O'Neil>, pay at " + BASE + "/t/c/")
        .contains(". (see " + BASE + "/t/c/").contains(") or <" + BASE + "/t/c/")
        .endsWith(">, mail help@agency.example; ftp://no");
    assertThat(out.html()).isNull();
  }

  @Test
  @DisplayName("headers: RFC 8058 one-click, mailto when configured, the communication id for every provider")
  void headers() {
    Instrumented out = new Instrumenter(SIGNER, "usd", "unsubscribe@agency.example", ShortCodes::newCode)
        .instrument(new Instrumenter.Message(false, null, "<p>x</p>", null),
            new Instrumenter.Recipient(TOKEN, "Ann", BigDecimal.TEN), BASE, ID);
    assertThat(out.headers()).containsEntry("List-Unsubscribe", "<" + BASE + "/t/u/" + TOKEN + "/" + ID
        + ">, <mailto:unsubscribe@agency.example?subject=unsubscribe%20" + ID + ">")
        .containsEntry("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
        .containsEntry("X-Beacon-Communication-Id", ID.toString());
    assertThat(out.providerArgs().getJsonObject("sendgrid").getJsonObject("custom_args").getString("beacon_communication_id"))
        .isEqualTo(ID.toString());
    assertThat(out.providerArgs().getJsonObject("mailgun").getJsonObject("headers").getString("X-Mailgun-Variables"))
        .isEqualTo("{\"beacon_communication_id\":\"" + ID + "\"}");
    assertThat(out.providerArgs().getJsonObject("postmark").getJsonObject("Metadata").getString("beacon_communication_id"))
        .isEqualTo(ID.toString());
    assertThat(out.providerArgs().getJsonObject("ses").getJsonArray("Tags").getJsonObject(0).getString("Value"))
        .isEqualTo(ID.toString());
  }

  @Test
  @DisplayName("SMS: a one-URL reminder fits one 160-character segment with its short link")
  void sms_oneUrl_fitsOneSegment() {
    Instrumented out = instrumenter.instrument(new Instrumenter.Message(true, null, null,
            "Hi {{firstName}}, a message about your account balance of {{balance}}. Details and options: {{landingUrl}} Reply STOP to opt out."),
        new Instrumenter.Recipient(TOKEN, "Ann", new BigDecimal("1250.50")), BASE, ID);
    assertThat(out.shortLinks()).hasSize(1);
    Instrumented.ShortLink s = out.shortLinks().get(0);
    assertThat(s.target()).isEqualTo(BASE + "/p/" + TOKEN);
    assertThat(s.url()).isEqualTo(BASE + "/s/" + s.code());
    assertThat(out.text()).isEqualTo("Hi Ann, a message about your account balance of $1,250.50. Details and options: "
        + s.url() + " Reply STOP to opt out.");
    assertThat(out.sms()).isEqualTo(new SmsLength(out.text().length(), "GSM-7", 1));
    assertThat(out.text().length()).isEqualTo(140);
    assertThat(s.url()).hasSize(BASE.length() + 15);
    assertThat(out.providerArgs().getJsonObject("twilio").getString("StatusCallback"))
        .isEqualTo(BASE + "/webhooks/twilio/status?communicationId=" + ID);
  }

  @Test
  void smsLength_countsGsmExtensionAndUcs2() {
    assertThat(SmsLength.of("a".repeat(160))).isEqualTo(new SmsLength(160, "GSM-7", 1));
    assertThat(SmsLength.of("a".repeat(161))).isEqualTo(new SmsLength(161, "GSM-7", 2));
    assertThat(SmsLength.of("€".repeat(80))).isEqualTo(new SmsLength(160, "GSM-7", 1));
    assertThat(SmsLength.of("é" + "ü".repeat(69))).isEqualTo(new SmsLength(70, "GSM-7", 1));
    assertThat(SmsLength.of("ś".repeat(71))).isEqualTo(new SmsLength(71, "UCS-2", 2));
  }

  @Test
  @DisplayName("100,000 short codes: all distinct, 12 URL-safe characters each")
  void shortCodes_collisionFree() {
    Set<String> codes = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      String c = ShortCodes.newCode();
      assertThat(ShortCodes.looksValid(c)).isTrue();
      codes.add(c);
    }
    assertThat(codes).hasSize(100_000);
    assertThat(codes.iterator().next()).matches("[A-Za-z0-9_-]{12}");
  }

  @Test
  void mergeFields_unknownNamed() {
    assertThat(MergeFields.unknown("{{firstName}} {{ lastName }} {{ssn}} {{lastName}}")).containsExactly("lastName", "ssn");
  }
}
