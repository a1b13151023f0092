package dev.beacon.sending;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * A message ready to send: its subject, HTML and text with Beacon's links, the headers and provider arguments
 * to send it with, what happened to each link, and (SMS) the short links to store and the text's length.
 */
public record Instrumented(String subject, String html, String text, Map<String, String> headers,
                           JsonObject providerArgs, List<Link> links, List<Skipped> skipped,
                           List<ShortLink> shortLinks, SmsLength sms) {

  /** A link Beacon now tracks: where it was found ({@code html} or {@code text}), its target and new URL. */
  public record Link(String part, String url, String trackedUrl) {}

  /** A link left as it was: its {@code href} and why (not-http, anchor, relative, marked, already-tracked, invalid). */
  public record Skipped(String part, String href, String reason) {}

  /** An SMS short link: the code, its public URL and its target. */
  public record ShortLink(String code, String url, String target) {}

  public JsonObject toJson() {
    JsonObject headerJson = new JsonObject();
    headers.forEach(headerJson::put);
    JsonObject j = new JsonObject().put("subject", subject).put("html", html).put("text", text)
        .put("headers", headerJson).put("providerArgs", providerArgs)
        .put("links", new JsonArray(links.stream().map(l -> new JsonObject().put("part", l.part())
            .put("url", l.url()).put("trackedUrl", l.trackedUrl())).toList()))
        .put("skippedLinks", new JsonArray(skipped.stream().map(s -> new JsonObject().put("part", s.part())
            .put("href", s.href()).put("reason", s.reason())).toList()));
    if (sms != null) {
      j.put("shortLinks", new JsonArray(shortLinks.stream().map(s -> new JsonObject().put("code", s.code())
          .put("url", s.url()).put("target", s.target())).toList()));
      j.put("sms", new JsonObject().put("length", sms.length()).put("encoding", sms.encoding())
          .put("segments", sms.segments()));
    }
    return j;
  }
}
