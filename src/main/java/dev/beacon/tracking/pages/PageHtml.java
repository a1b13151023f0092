package dev.beacon.tracking.pages;

import dev.beacon.tracking.pages.PageRepository.PageDebtor;

import java.math.BigDecimal;
import java.util.UUID;

import static dev.beacon.tracking.pages.Html.esc;

/**
 * The debtor pages as server-rendered HTML: readable without JavaScript, no third-party assets, no inline
 * script or style (the Content-Security-Policy forbids both). Only the first name and the balance are shown.
 */
final class PageHtml {
  static final String SCRIPT = "/static/pages/beacon.js";
  static final String STYLE = "/static/pages/pages.css";
  private static final String DISCLOSURE = "This is a communication from a debt collector. This is an attempt to "
      + "collect a debt and any information obtained will be used for that purpose.";

  /** What a page needs to print: the token for its links and the beacon, the view id, the currency. */
  record Context(String token, UUID pageViewId, String currency) {}

  private PageHtml() {}

  /** The same bytes for every unknown or malformed token: nothing in it depends on the request. */
  static final String NOT_FOUND = layout("Page not found", "", """
      <main>
      <h1>Page not found</h1>
      <p>This link is not valid. If you received it from us, please contact us by phone or mail.</p>
      </main>
      """, false);

  static String landing(Context c, PageDebtor d) {
    String t = esc(c.token());
    String body = """
        <main>
        <h1>Hello %s</h1>
        <section class="balance" aria-label="Balance">
        <p>Your current balance</p>
        <p class="amount" id="balance">%s</p>
        </section>
        <p><a class="button primary" href="/p/%s/pay" data-action="pay-now">Pay now</a></p>
        <details id="info">
        <summary>About this balance and your rights</summary>
        <p>You may dispute all or part of this debt, or ask for the name and address of the original creditor.
        If you do so in writing within the validation period stated in the notice we sent you, we must stop
        collection until we send you the requested information.</p>
        <p>You can pay in full, pay part of the balance now, or spread it over a payment plan.</p>
        </details>
        <p><a class="button secondary" href="/p/%s/opt-out" data-action="opt-out">Stop emails/texts</a></p>
        <p class="fine">%s</p>
        </main>
        """.formatted(esc(d.firstName()), esc(Html.money(d.balance(), c.currency())), t, t, esc(DISCLOSURE));
    return layout("Your account", beaconAttributes(c, "landing"), body, true);
  }

  /** The payment page; {@code options} is null when online payment is not configured. */
  static String payment(Context c, PageDebtor d, PaymentOptions options) {
    String t = esc(c.token());
    String head = """
        <main>
        <h1>Make a payment</h1>
        <section class="balance" aria-label="Balance">
        <p>%s, your current balance</p>
        <p class="amount" id="balance">%s</p>
        </section>
        """.formatted(esc(d.firstName()), esc(Html.money(d.balance(), c.currency())));
    String rest;
    if (d.balance().signum() <= 0) {
      rest = "<p id=\"nothing-owed\">There is nothing to pay on this account.</p>\n";
    } else if (options == null) {
      rest = "<p id=\"payments-not-configured\">Online payments are not configured yet. "
          + "Please contact us to pay by phone or mail.</p>\n";
    } else {
      rest = form(c, d.balance(), options);
    }
    String body = head + rest + "<p><a href=\"/p/" + t + "\" data-action=\"back\">Back</a></p>\n<p class=\"fine\">"
        + esc(DISCLOSURE) + "</p>\n</main>\n";
    return layout("Make a payment", beaconAttributes(c, "payment"), body, true);
  }

  /** Bounds of the payment choices, from {@code payments.*} config. */
  record PaymentOptions(BigDecimal minPartial, int planMin, int planMax) {}

  private static String form(Context c, BigDecimal balance, PaymentOptions o) {
    StringBuilder plans = new StringBuilder();
    for (int n = o.planMin(); n <= o.planMax(); n++) {
      plans.append("<option value=\"").append(n).append("\">").append(n).append(" monthly payments</option>\n");
    }
    BigDecimal min = o.minPartial().min(balance);
    return """
        <form method="post" action="/p/%s/checkout" id="checkout">
        <fieldset>
        <legend>How would you like to pay?</legend>
        <label><input type="radio" name="option" value="full" checked data-action="choose-full"> Pay the full balance (%s)</label>
        <label><input type="radio" name="option" value="partial" data-action="choose-partial"> Pay part of it now</label>
        <label class="sub">Amount <input type="number" name="amount" inputmode="decimal" step="0.01" min="%s" max="%s" placeholder="%s"></label>
        <label><input type="radio" name="option" value="plan" data-action="choose-plan"> Set up a payment plan</label>
        <label class="sub">Installments <select name="installments">
        %s</select></label>
        </fieldset>
        <button type="submit" class="button primary" data-action="checkout">Continue to secure payment</button>
        </form>
        """.formatted(esc(c.token()), esc(Html.money(balance, c.currency())), esc(Html.plain(min)),
        esc(Html.plain(balance)), esc(Html.plain(min)), plans);
  }

  static String optOut(String token) {
    String t = esc(token);
    String body = """
        <main>
        <h1>Stop emails or text messages</h1>
        <p>You can ask us to stop contacting you about this debt by email or by text message. Choose a channel
        below; we will stop using it for this account. You can still reach us by phone or mail.</p>
        <form method="post" action="/p/%s/opt-out">
        <button type="submit" name="channel" value="email" class="button secondary">Stop emails</button>
        <button type="submit" name="channel" value="sms" class="button secondary">Stop text messages</button>
        </form>
        <p><a href="/p/%s">Back</a></p>
        </main>
        """.formatted(t, t);
    return layout("Stop emails or texts", "", body, false);
  }

  static String tooMany(String token) {
    String body = """
        <main>
        <h1>Please wait a moment</h1>
        <p>This page received too many requests. Nothing was changed; please try again in a minute.</p>
        <p><a href="/p/%s/opt-out">Back</a></p>
        </main>
        """.formatted(esc(token));
    return layout("Too many requests", "", body, false);
  }

  static String optedOut(String token, String channel) {
    String what = channel.equals("email") ? "emails" : "text messages";
    String body = """
        <main>
        <h1>Done</h1>
        <p id="confirmation">We will no longer send you %s about this account.</p>
        <p><a href="/p/%s">Back</a></p>
        </main>
        """.formatted(what, esc(token));
    return layout("Opt-out recorded", "", body, false);
  }

  private static String beaconAttributes(Context c, String pageType) {
    return " data-token=\"" + esc(c.token()) + "\" data-page-view-id=\"" + c.pageViewId()
        + "\" data-page-type=\"" + pageType + "\"";
  }

  private static String layout(String title, String bodyAttributes, String body, boolean script) {
    return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex, nofollow">
        <title>%s</title>
        <link rel="stylesheet" href="%s">
        %s</head>
        <body%s>
        %s</body>
        </html>
        """.formatted(esc(title), STYLE, script ? "<script src=\"" + SCRIPT + "\" defer></script>\n" : "",
        bodyAttributes, body);
  }
}
