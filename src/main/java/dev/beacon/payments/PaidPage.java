package dev.beacon.payments;

import dev.beacon.core.Money;
import dev.beacon.core.Tokens;
import dev.beacon.db.Uuids;
import dev.beacon.http.Headers;
import dev.beacon.http.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;

/**
 * {@code GET /p/{token}/paid}: where Stripe sends the debtor back. Thanks them and shows the new balance once
 * the webhook has landed; before that says the payment is processing and refreshes itself.
 */
final class PaidPage {
  static final String CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  static final String NOT_FOUND = page("Not found", "<h1>Not found</h1><p>This page does not exist.</p>", false);
  /** Seconds between reloads while the payment is processing. */
  static final int REFRESH_SECONDS = 5;

  private final PaymentRepository repo;

  PaidPage(PaymentRepository repo) {
    this.repo = repo;
  }

  void handle(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    if (!Tokens.looksValid(token)) {
      send(ctx, 404, NOT_FOUND);
      return;
    }
    UUID paymentId = Uuids.parseOrNull(ctx.request().getParam("payment"));
    if (paymentId == null) {
      send(ctx, 404, NOT_FOUND);
      return;
    }
    repo.page(token, paymentId).onSuccess(d -> {
      // A payment is shown only when it is this debtor's: any other id gets the page an unknown token gets.
      if (d == null || d.paymentStatus() == null) {
        send(ctx, 404, NOT_FOUND);
      } else {
        send(ctx, 200, render(d, token));
      }
    }).onFailure(ctx::fail);
  }

  static String render(PaymentRepository.PageData d, String token) {
    String name = escape(d.firstName());
    String balance = "$" + Money.format(d.balance());
    PaymentStatus status = d.paymentStatus();
    if (status == null || status == PaymentStatus.PENDING) {
      return page("Payment processing", "<h1>Thank you, " + name + "</h1>"
          + "<p>Your payment is processing. This page updates by itself in a few seconds.</p>", true);
    }
    if (status == PaymentStatus.FAILED || status == PaymentStatus.EXPIRED) {
      return page("Payment not completed", "<h1>Your payment did not go through</h1>"
          + "<p>Nothing was charged. Your balance is " + balance + ".</p>"
          + "<p><a href=\"/p/" + token + "/pay\">Try again</a></p>", false);
    }
    return page("Payment received", "<h1>Thank you, " + name + "</h1>"
        + "<p>We received your payment of $" + Money.format(d.paymentAmount()) + ".</p>"
        + (d.balance().signum() == 0 ? "<p>Your account is paid in full.</p>"
            : "<p>Your remaining balance is " + balance + ".</p>"), false);
  }

  private static String page(String title, String body, boolean refresh) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + (refresh ? "<meta http-equiv=\"refresh\" content=\"" + REFRESH_SECONDS + "\">" : "")
        + "<meta name=\"robots\" content=\"noindex\"><title>" + title + "</title></head><body><main>"
        + body + "</main></body></html>";
  }

  private static void send(RoutingContext ctx, int status, String html) {
    ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(Headers.CONTENT_SECURITY_POLICY, CSP)
        .putHeader(Headers.REFERRER_POLICY, "no-referrer")
        .putHeader(Headers.X_CONTENT_TYPE_OPTIONS, "nosniff")
        .end(html);
  }

  static void notFound(RoutingContext ctx) {
    send(ctx, 404, NOT_FOUND);
  }

  /**
   * The payment page's form was refused (a bad amount, nothing owed, Stripe unreachable): a page for the person
   * on their phone, with the same status and {@code Retry-After} a JSON client gets, and the way back.
   */
  static void refused(RoutingContext ctx, String token, Problem p) {
    StringBuilder reasons = new StringBuilder();
    for (Problem.FieldError e : p.errors()) {
      reasons.append("<li>").append(escape(label(e.field()) + " " + e.message())).append("</li>");
    }
    String body = "<h1>We could not start your payment</h1>"
        + (reasons.length() > 0 ? "<ul>" + reasons + "</ul>" : "<p>" + escape(p.getMessage()) + "</p>")
        + "<p>Nothing was charged.</p><p><a href=\"/p/" + token + "/pay\">Back to the payment page</a></p>";
    p.headers().forEach(ctx.response()::putHeader);
    send(ctx, p.status(), page("Payment not started", body, false));
  }

  /** The form's field names as the person reads them. */
  private static String label(String field) {
    return switch (field) {
      case "amount" -> "The amount";
      case "installments" -> "The number of installments";
      case "option" -> "The payment choice";
      default -> field;
    };
  }

  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
