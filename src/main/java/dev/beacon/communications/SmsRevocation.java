package dev.beacon.communications;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Recognises an inbound text message that revokes consent to text messages: a reply made only of the
 * revocation words (stop, quit, end, revoke, opt out, cancel, unsubscribe), whatever its case, spacing or
 * punctuation ("STOP", "Stop.", "opt-out"), also when the debtor repeats or combines them ("STOP STOP",
 * "stop, unsubscribe"): 47 CFR 64.1200(a)(12) makes each word a revocation, and 12 CFR 1006.14(h) forbids
 * texting a debtor who asked not to be texted. A sentence that merely contains a word is not a revocation.
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
    String[] words = NOT_LETTERS.split(body.toLowerCase(Locale.ROOT).trim());
    int matched = 0;
    // A plain loop rather than a repeated regex group: content may be 60,000 characters long.
    for (int i = 0; i < words.length; i++) {
      if (words[i].isEmpty()) {
        continue;
      }
      if (i + 1 < words.length && WORDS.contains(words[i] + " " + words[i + 1])) {
        i++;
      } else if (!WORDS.contains(words[i])) {
        return false;
      }
      matched++;
    }
    return matched > 0;
  }
}
