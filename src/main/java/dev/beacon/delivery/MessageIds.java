package dev.beacon.delivery;

import java.util.regex.Pattern;

/**
 * A provider's message id as its webhooks carry it, from the form its send answer gives: SendGrid's
 * {@code X-Message-Id} (an {@code sg_message_id} is cut before {@code .filter}), Postmark's {@code MessageID} (a
 * UUID), Mailgun's {@code id} (its angle brackets dropped, as in the {@code Message-Id} header of its events),
 * SES's {@code MessageId}, Twilio's {@code sid} ({@code SM} or {@code MM} and 32 hex digits).
 */
final class MessageIds {
  static final int MAX = 300;
  /** Visible ASCII: no spaces or control characters (ids are compared as given). */
  private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7E]+");
  private static final Pattern TWILIO_SID = Pattern.compile("(SM|MM)[0-9a-fA-F]{32}");
  private static final Pattern POSTMARK_ID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private MessageIds() {}

  /** The id in its webhook form, or null when it cannot be one of this provider's (the reason in {@code why}). */
  static String normalize(Provider provider, String raw, StringBuilder why) {
    String id = raw.trim();
    if (provider == Provider.MAILGUN) {
      id = mailgun(id);
    }
    if (provider == Provider.SENDGRID) {
      id = SendGridEvents.messageId(id);
    }
    if (id.isEmpty() || id.length() > MAX || !PRINTABLE.matcher(id).matches()) {
      why.append("must be 1 to ").append(MAX).append(" visible ASCII characters");
      return null;
    }
    if (provider == Provider.TWILIO && !TWILIO_SID.matcher(id).matches()) {
      why.append("must be a Twilio message sid (SM or MM and 32 hex digits)");
      return null;
    }
    if (provider == Provider.POSTMARK && !POSTMARK_ID.matcher(id).matches()) {
      why.append("must be a Postmark MessageID (a UUID)");
      return null;
    }
    return id;
  }

  /** A Mailgun {@code Message-Id} header value without its angle brackets (events carry it either way). */
  static String mailgun(String headerValue) {
    if (headerValue == null) {
      return null;
    }
    String id = headerValue.trim();
    return id.length() >= 2 && id.startsWith("<") && id.endsWith(">") ? id.substring(1, id.length() - 1) : id;
  }
}
