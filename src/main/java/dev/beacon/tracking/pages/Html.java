package dev.beacon.tracking.pages;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.NumberFormat;
import java.util.Currency;
import java.util.Locale;

/** Escaping and display formats for the debtor pages. Everything printed into a page passes through here. */
public final class Html {
  private Html() {}

  /** Escapes text for an HTML element body or a double- or single-quoted attribute value. */
  public static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** An amount for people: {@code $1,250.50} for US dollars, {@code 1,250.50 EUR} otherwise. */
  public static String money(BigDecimal amount, String currency) {
    String code = currency.toUpperCase(Locale.ROOT);
    NumberFormat f = NumberFormat.getNumberInstance(Locale.US);
    f.setMinimumFractionDigits(2);
    f.setMaximumFractionDigits(2);
    f.setGroupingUsed(true);
    String n = f.format(amount);
    if (code.equals("USD")) {
      return "$" + n;
    }
    try {
      return n + " " + Currency.getInstance(code).getCurrencyCode();
    } catch (IllegalArgumentException e) {
      return n + " " + code;
    }
  }

  /** An amount as a form value: plain digits and two decimals ({@code 1250.50}). */
  static String plain(BigDecimal amount) {
    return amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
  }
}
