package dev.beacon.communications;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Recognises an inbound text message that revokes consent to text messages: a reply that is one of the
 * revocation words (stop, quit, end, revoke, opt out, cancel, unsubscribe), whatever its case, spacing or
 * punctuation ("STOP", "Stop.", "opt-out"). A sentence that merely contains a word is not a revocation.
 */
public final class SmsRevocation {
  static final Set<String> WORDS = Set.of("stop", "quit", "end", "revoke", "opt out", "optout", "cancel",
      "unsubscribe");
  private static final Pattern NOT_LETTERS = Pattern.compile("[^a-z]+");

  private SmsRevocation() {}

  public static boolean isRevocation(String body) {
    if (body == null) {
      return false;
    }
    String words = NOT_LETTERS.matcher(body.toLowerCase(Locale.ROOT)).replaceAll(" ").trim();
    return WORDS.contains(words);
  }
}
