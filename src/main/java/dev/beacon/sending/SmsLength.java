package dev.beacon.sending;

/**
 * How many SMS segments a text takes: GSM 03.38 7-bit (160 characters alone, 153 per part when concatenated;
 * the extension characters count twice) unless a character is outside that alphabet, then UCS-2 (70, 67 per
 * part, counted in UTF-16 units as carriers count them).
 */
public record SmsLength(int length, String encoding, int segments) {
  public static final int GSM_SINGLE = 160;
  private static final int GSM_PART = 153;
  private static final int UCS2_SINGLE = 70;
  private static final int UCS2_PART = 67;
  private static final String GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
      + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  private static final String GSM_EXTENSION = "^{}\\[~]|€\f";

  public static SmsLength of(String text) {
    int septets = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (GSM_BASIC.indexOf(c) >= 0) {
        septets++;
      } else if (GSM_EXTENSION.indexOf(c) >= 0) {
        septets += 2;
      } else {
        int units = text.length();
        return new SmsLength(units, "UCS-2", units <= UCS2_SINGLE ? 1 : ceil(units, UCS2_PART));
      }
    }
    return new SmsLength(septets, "GSM-7", septets <= GSM_SINGLE ? 1 : ceil(septets, GSM_PART));
  }

  private static int ceil(int n, int part) {
    return (n + part - 1) / part;
  }
}
