package dev.beacon.sending;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Range;
import org.jsoup.parser.Parser;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Rewrites the links of an HTML email with jsoup's HTML5 parser, editing only the source text of each
 * {@code <a href>} and {@code <area href>} value (jsoup's attribute source positions) and inserting the pixel
 * before {@code </body>}: every other character of the document stays as it was. The parser never rejects
 * input; what it recovers from (unclosed tags, stray end tags) is still rewritten where it found a link.
 */
final class HtmlLinks {
  /** Put this attribute on a link to leave it as it is ({@code <a href="..." data-beacon-untracked>}). */
  static final String UNTRACKED = "data-beacon-untracked";
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  /** A link's resolved http(s) target, or (target null) why it is left alone. */
  record Decision(String target, String reason) {}

  /** The rewritten document and the per-link outcome, in document order. */
  record Result(String html, List<Outcome> links) {}

  /** One {@code href}: its original value, and the URL it now points at or the reason it was left alone. */
  record Outcome(String href, String target, String tracked, String reason) {}

  private record Edit(int start, int end, String text) {}

  private HtmlLinks() {}

  /**
   * @param track      the tracked URL for a resolved http(s) target
   * @param skipReason why an http(s) target is left alone (already tracked, not signable), or null to track it
   * @param pixel      the {@code <img>} to insert before {@code </body>} (at the end when there is none), or null
   */
  static Result rewrite(String html, Function<String, String> track, Function<String, String> skipReason,
                        String pixel) {
    Document doc = Jsoup.parse(html, "", Parser.htmlParser().setTrackPosition(true));
    URI base = base(doc);
    List<Edit> edits = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    for (Element e : doc.select("a[href], area[href]")) {
      Attribute attr = e.attribute("href");
      Range value = attr == null ? null : attr.sourceRange().valueRange();
      // The adoption agency clones misnested <a> elements: a clone carries no range or one already seen.
      if (value == null || !value.isTracked() || !seen.add(value.startPos())) {
        continue;
      }
      String href = attr.getValue();
      Decision d = decide(href, base, e.hasAttr(UNTRACKED), skipReason);
      if (d.target() == null) {
        outcomes.add(new Outcome(href, null, null, d.reason()));
        continue;
      }
      String tracked = track.apply(d.target());
      outcomes.add(new Outcome(href, d.target(), tracked, null));
      edits.add(new Edit(value.startPos(), value.endPos(), quoted(html, value.startPos(), tracked)));
    }
    if (pixel != null) {
      int at = pixelAt(doc, html);
      edits.add(new Edit(at, at, pixel));
    }
    edits.sort(Comparator.comparingInt(Edit::start));
    StringBuilder out = new StringBuilder(html.length() + edits.size() * 160);
    int at = 0;
    for (Edit edit : edits) {
      out.append(html, at, edit.start()).append(edit.text());
      at = edit.end();
    }
    return new Result(out.append(html, at, html.length()).toString(), outcomes);
  }

  /** The document's {@code <base href>} when it is an absolute http(s) URL, else null. */
  private static URI base(Document doc) {
    Element b = doc.selectFirst("base[href]");
    if (b == null) {
      return null;
    }
    try {
      URI u = new URI(b.attr("href").trim());
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      return scheme.equals("http") || scheme.equals("https") ? u : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  static Decision decide(String rawHref, URI base, boolean marked, Function<String, String> skipReason) {
    String href = rawHref.trim();
    if (marked) {
      return new Decision(null, "marked");
    }
    if (href.isEmpty() || href.startsWith("#")) {
      return new Decision(null, "anchor");
    }
    String target = href;
    if (!SCHEME.matcher(href).find()) {
      if (base == null) {
        return new Decision(null, "relative");
      }
      try {
        target = base.resolve(new URI(href)).toString();
      } catch (URISyntaxException | IllegalArgumentException e) {
        return new Decision(null, "invalid");
      }
    }
    String lower = target.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
      return new Decision(null, "not-http");
    }
    String reason = skipReason.apply(target);
    return reason == null ? new Decision(target, null) : new Decision(null, reason);
  }

  /** The new value as the attribute's quoting needs it: an unquoted value gets double quotes. */
  private static String quoted(String html, int valueStart, String url) {
    String escaped = url.replace("&", "&amp;").replace("\"", "&quot;").replace("'", "&#39;");
    char before = valueStart > 0 ? html.charAt(valueStart - 1) : ' ';
    return before == '"' || before == '\'' ? escaped : "\"" + escaped + "\"";
  }

  /** Before the {@code </body>} tag as written, else before {@code </html>}, else at the end. */
  private static int pixelAt(Document doc, String html) {
    Range body = doc.body() == null ? null : doc.body().endSourceRange();
    if (body != null && body.isTracked() && !body.isImplicit()) {
      return body.startPos();
    }
    Range root = doc.selectFirst("html") == null ? null : doc.selectFirst("html").endSourceRange();
    if (root != null && root.isTracked() && !root.isImplicit()) {
      return root.startPos();
    }
    return html.length();
  }
}
