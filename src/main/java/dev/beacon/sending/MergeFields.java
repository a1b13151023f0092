package dev.beacon.sending;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Beacon's merge fields ({@code {{landingUrl}}}, {@code {{paymentUrl}}}, {@code {{optOutUrl}}},
 * {@code {{firstName}}}, {@code {{balance}}}), filled in before a message is instrumented so templates never
 * carry a debtor's token. Spaces inside the braces are allowed ({@code {{ firstName }}}).
 */
public final class MergeFields {
  public static final List<String> NAMES = List.of("landingUrl", "paymentUrl", "optOutUrl", "firstName", "balance");
  private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

  private MergeFields() {}

  /** The names a template uses that are not merge fields, in order of appearance, each once. */
  public static List<String> unknown(String template) {
    List<String> out = new ArrayList<>();
    if (template == null) {
      return out;
    }
    Matcher m = FIELD.matcher(template);
    while (m.find()) {
      String name = m.group(1);
      if (!NAMES.contains(name) && !out.contains(name)) {
        out.add(name);
      }
    }
    return out;
  }

  /** The template with every merge field replaced by its value passed through {@code escape}. */
  public static String fill(String template, Map<String, String> values, UnaryOperator<String> escape) {
    if (template == null) {
      return null;
    }
    Matcher m = FIELD.matcher(template);
    StringBuilder b = new StringBuilder(template.length() + 64);
    while (m.find()) {
      String value = values.get(m.group(1));
      m.appendReplacement(b, Matcher.quoteReplacement(value == null ? m.group() : escape.apply(value)));
    }
    m.appendTail(b);
    return b.toString();
  }
}
