package dev.beacon.tracking.pages;

import dev.beacon.config.BeaconConfig;
import dev.beacon.core.IpAddresses;
import dev.beacon.core.Tokens;
import dev.beacon.db.Uuids;
import dev.beacon.http.Bodies;
import dev.beacon.http.Problem;
import dev.beacon.http.RateLimits;
import dev.beacon.http.Requests;
import dev.beacon.tracking.Origin;
import dev.beacon.tracking.UserAgent;
import dev.beacon.tracking.pages.PageRepository.PageDebtor;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The debtor pages (docs/pages.md): landing {@code /p/{token}}, payment {@code /p/{token}/pay},
 * opt-out {@code /p/{token}/opt-out} and the RFC 8058 one-click unsubscribe {@code POST /t/u/{token}/{id}}.
 * Page views are stored before the page is answered; a GET never changes anything else.
 */
public final class PageRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(PageRoutes.class);
  /** Opt-out bodies are one short field; anything larger is not from our form or a mail provider. */
  static final int BODY_LIMIT = 8 * 1024;
  static final Set<String> CHANNELS = Set.of("email", "sms");
  static final String ONE_CLICK_FIELD = "List-Unsubscribe";
  static final String ONE_CLICK_VALUE = "One-Click";

  private final PageRepository repo;
  private final BeaconConfig config;
  private final Origin origin;
  private final RateLimits limits;

  private PageRoutes(Pool pool, BeaconConfig config, RateLimits limits) {
    this.repo = new PageRepository(pool);
    this.config = config;
    this.origin = new Origin(config);
    this.limits = limits;
  }

  public static void mount(Router router, Pool pool, BeaconConfig config, RateLimits limits) {
    PageRoutes r = new PageRoutes(pool, config, limits);
    PageAssets.mount(router);
    router.route("/p/:token").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(PageRoutes::token)
        .handler(r::landing);
    router.route("/p/:token/pay").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(PageRoutes::token)
        .handler(r::payment);
    router.route("/p/:token/opt-out").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(PageRoutes::token)
        .handler(r::optOutPage);
    router.post("/p/:token/opt-out").handler(Bodies.limit(BODY_LIMIT)).handler(PageRoutes::token).handler(r::optOut);
    // A mail client without RFC 8058 support opens the List-Unsubscribe URL in a browser: show the page.
    router.route("/t/u/:token/:communicationId").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(PageRoutes::token).handler(r::optOutPage);
    router.post("/t/u/:token/:communicationId").handler(Bodies.limit(BODY_LIMIT)).handler(PageRoutes::token)
        .handler(r::oneClick);
  }

  /** First on every page route: a token that cannot be one gets the pages' 404 before anything is looked up. */
  private static void token(RoutingContext ctx) {
    if (Tokens.looksValid(ctx.pathParam("token"))) {
      ctx.next();
    } else {
      PageResponses.notFound(ctx);
    }
  }

  private void landing(RoutingContext ctx) {
    view(ctx, "landing").onSuccess(found -> found.ifPresentOrElse(
        v -> PageResponses.html(ctx, PageResponses.CSP, PageHtml.landing(v.context(), v.debtor())),
        () -> PageResponses.notFound(ctx)));
  }

  private void payment(RoutingContext ctx) {
    var p = config.payments();
    PageHtml.PaymentOptions options = p.configured()
        ? new PageHtml.PaymentOptions(p.minPartial(), p.planMinInstallments(), p.planMaxInstallments())
        : null;
    view(ctx, "payment").onSuccess(found -> found.ifPresentOrElse(
        v -> PageResponses.html(ctx, PageResponses.PAYMENT_CSP, PageHtml.payment(v.context(), v.debtor(), options)),
        () -> PageResponses.notFound(ctx)));
  }

  private record View(PageHtml.Context context, PageDebtor debtor) {}

  /**
   * Records a page view of this type (a GET) or only looks the debtor up (a HEAD: probes and scanners are
   * not visits). Empty, with nothing stored, for an unknown token.
   */
  private Future<Optional<View>> view(RoutingContext ctx, String pageType) {
    String token = ctx.pathParam("token");
    UUID viewId = Uuids.v7();
    boolean head = ctx.request().method() == HttpMethod.HEAD;
    Future<Optional<PageDebtor>> found = head
        ? repo.find(token)
        : repo.view(token, viewId, pageType, userAgent(ctx), origin.of(ctx.request()));
    return found
        .map(d -> d.map(x -> new View(new PageHtml.Context(token, viewId, config.payments().currency()), x)))
        .onFailure(ctx::fail);
  }

  private void optOutPage(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    repo.find(token)
        .onSuccess(d -> d.ifPresentOrElse(
            x -> PageResponses.html(ctx, PageResponses.CSP, PageHtml.optOut(token)),
            () -> PageResponses.notFound(ctx)))
        .onFailure(ctx::fail);
  }

  /** {@code POST /p/{token}/opt-out}: a form from the page (answered with HTML) or JSON (answered with JSON). */
  private void optOut(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    String type = Requests.mediaType(ctx);
    boolean json = type.equals(Requests.JSON);
    try {
      limits.token(token);
    } catch (Problem p) {
      if (json) {
        throw p;
      }
      // The page's form: a page for the person, with the status and Retry-After an API client gets.
      p.headers().forEach(ctx.response()::putHeader);
      PageResponses.html(ctx, PageResponses.CSP, PageHtml.tooMany(token), p.status());
      return;
    }
    String channel;
    if (json) {
      Object value = Bodies.object(ctx).getValue("channel");
      channel = value instanceof String s ? s : null;
    } else if (type.equals(Requests.FORM)) {
      // The page's own form is urlencoded; multipart is not in the contract (415).
      channel = ctx.request().getFormAttribute("channel");
    } else {
      throw Problem.unsupportedMediaType(Requests.FORM + " or " + Requests.JSON);
    }
    if (channel == null || channel.isEmpty()) {
      throw Problem.invalid("channel", "is required");
    }
    if (!CHANNELS.contains(channel)) {
      throw Problem.invalid("channel", "must be email or sms");
    }
    repo.optOut(token, channel, "opt_out_page", null)
        .onSuccess(known -> {
          if (!known) {
            PageResponses.notFound(ctx);
          } else if (json) {
            PageResponses.json(ctx, new JsonObject().put("channel", channel).put("optedOut", true));
          } else {
            PageResponses.html(ctx, PageResponses.CSP, PageHtml.optedOut(token, channel));
          }
        })
        .onFailure(ctx::fail);
  }

  /** {@code POST /t/u/{token}/{communicationId}}: RFC 8058 one-click unsubscribe from email. */
  private void oneClick(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    UUID communicationId = Requests.uuid(ctx, "communicationId");
    limits.token(token);
    String type = Requests.mediaType(ctx);
    // RFC 8058 lets the mail receiver post either form encoding.
    if (!type.equals(Requests.FORM) && !type.equals(Requests.MULTIPART)) {
      throw Problem.unsupportedMediaType(Requests.FORM + " or " + Requests.MULTIPART);
    }
    String value = ctx.request().getFormAttribute(ONE_CLICK_FIELD);
    if (!ONE_CLICK_VALUE.equals(value)) {
      throw Problem.invalid(ONE_CLICK_FIELD, "must be " + ONE_CLICK_VALUE + " (RFC 8058)");
    }
    repo.optOut(token, "email", "one_click", communicationId)
        .onSuccess(known -> {
          if (known) {
            LOG.debug("One-click unsubscribe for communication {}", communicationId);
            PageResponses.text(ctx, "You are unsubscribed from our emails.\n");
          } else {
            PageResponses.notFound(ctx);
          }
        })
        .onFailure(ctx::fail);
  }

  private static String userAgent(RoutingContext ctx) {
    return UserAgent.clip(ctx.request().getHeader(HttpHeaders.USER_AGENT));
  }

}
