package dev.beacon.communications;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
  private static final Pattern ONLY_WORDS;

  static {
    String word = WORDS.stream().map(Pattern::quote).collect(Collectors.joining("|", "(?:", ")"));
    ONLY_WORDS = Pattern.compile(word + "(?: " + word + ")*");
  }

  private SmsRevocation() {}

  public static boolean isRevocation(String body) {
    if (body == null) {
      return false;
    }
    String words = NOT_LETTERS.matcher(body.toLowerCase(Locale.ROOT)).replaceAll(" ").trim();
    return ONLY_WORDS.matcher(words).matches();
  }
}
