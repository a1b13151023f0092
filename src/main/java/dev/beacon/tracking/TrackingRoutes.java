package dev.beacon.tracking;

import dev.beacon.config.BeaconConfig;
import dev.beacon.core.IpAddresses;
import dev.beacon.core.Tokens;
import dev.beacon.db.Uuids;
import dev.beacon.http.Bodies;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import dev.beacon.http.StopActions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The tracking hot path (docs/api.md, "Tracking"; docs/tracking.md): the open pixel, the signed click redirect
 * and the page beacon, plus {@code POST /api/tracking-links} and {@code POST /api/events/import}. One
 * {@link JournalWriter} per verticle instance, created here on that instance's event loop and drained when the
 * instance stops; what it journals reaches the event tables through the {@link Enricher}.
 */
public final class TrackingRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(TrackingRoutes.class);
  /** The 43-byte transparent 1x1 GIF, decoded once. */
  static final Buffer GIF = Buffer.buffer(new byte[] {
      0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, (byte) 0x80, 0x00, 0x00,
      0x00, 0x00, 0x00, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
      0x21, (byte) 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00,
      0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
      0x02, 0x02, 0x44, 0x01, 0x00, 0x3B});
  static final int BEACON_LIMIT = 8 * 1024;
  static final String PIXEL_PREFIX = "/t/o/";
  private static final String GIF_SUFFIX = ".gif";
  private static final CharSequence IMAGE_GIF = HttpHeaders.createOptimized("image/gif");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence GIF_LENGTH = HttpHeaders.createOptimized(Integer.toString(GIF.length()));

  /** The journal's kind of a new page view, for pages that journal their own views. */
  public static final short JOURNAL_VIEW = Journal.Kind.VIEW.code;

  private final JournalWriter writer;
  private final Classifier classifier;
  private final Origin origin;
  private final LinkSigner signer;

  private TrackingRoutes(BeaconConfig config, JournalWriter writer, LinkSigner signer) {
    this.writer = writer;
    this.classifier = Classifier.of(config.tracking().scannerCidrs());
    this.origin = new Origin(config, classifier);
    this.signer = signer;
  }

  public static void mount(Router router, Vertx vertx, Pool pool, BeaconConfig config, StopActions stops) {
    BeaconConfig.Tracking t = config.tracking();
    Context context = vertx.getOrCreateContext();
    WriterLoad load = WriterLoad.of(vertx);
    JournalWriter writer = new JournalWriter(context, pool, t.queueCapacity(), t.batchMax(),
        TrackingStats.current(), load.gate(t.flushSlots(), t.flushHedge().toMillis()), load::backlogFull);
    // Stopped after the instance's server has shut down: queued requests are committed or refused.
    load.add(writer);
    stops.add(() -> writer.stop().onComplete(ar -> load.remove(writer)));
    LinkSigner signer = linkSigner(t);
    TrackingRoutes r = new TrackingRoutes(config, writer, signer);

    router.route(HttpMethod.GET, PIXEL_PREFIX + "*").handler(r::open);
    router.route(HttpMethod.HEAD, PIXEL_PREFIX + "*").handler(r::open);
    router.route(HttpMethod.GET, "/t/c/:token/:communicationId").handler(r::click);
    router.route(HttpMethod.HEAD, "/t/c/:token/:communicationId").handler(r::click);
    // 415 before the body is read; Vert.x wants the body handler first on its route, hence two routes.
    router.post("/t/b").handler(TrackingRoutes::beaconType);
    router.post("/t/b").handler(Bodies.limit(BEACON_LIMIT)).handler(r::beacon);
    TrackingLinks.mount(router, pool, config, signer);
    EventImport.mount(router, pool, config, r.classifier);
    // SMS short links record their clicks exactly as /t/c does (same classification, same writer).
    ShortLinks.mount(router, pool, (req, token, comm, url) -> r.record(req, Classifier.Kind.CLICK, token, comm, url));
  }

  /** The signer of click links, with the secret the tracking routes verify (for code that writes links). */
  public static LinkSigner linkSigner(BeaconConfig.Tracking t) {
    return new LinkSigner(secret(t));
  }

  /**
   * Beacon's main fills an empty secret (LinkSecret) before deploying; a config built elsewhere without one gets
   * a random secret for this process, so links signed now stop verifying after a restart.
   */
  private static String secret(BeaconConfig.Tracking t) {
    if (!t.linkSecret().isEmpty()) {
      return t.linkSecret();
    }
    LOG.warn("tracking.linkSecret is empty: click links are signed with a secret that lasts until restart");
    return ProcessSecret.VALUE;
  }

  private static final class ProcessSecret {
    static final String VALUE = Tokens.newToken() + Tokens.newToken();
  }

  /** {@code /t/o/{token}.gif} and {@code /t/o/{token}/{communicationId}.gif}: always the same GIF. */
  private void open(RoutingContext ctx) {
    String path = ctx.request().path();
    String rest = path.length() > PIXEL_PREFIX.length() ? path.substring(PIXEL_PREFIX.length()) : "";
    if (rest.endsWith(GIF_SUFFIX)) {
      rest = rest.substring(0, rest.length() - GIF_SUFFIX.length());
      int slash = rest.indexOf('/');
      String token = slash < 0 ? rest : rest.substring(0, slash);
      String comm = slash < 0 ? null : rest.substring(slash + 1);
      if (Tokens.looksValid(token) && (comm == null || Uuids.canonical(comm))) {
        record(ctx.request(), Classifier.Kind.OPEN, token, comm == null ? null : UUID.fromString(comm), null)
            .onComplete(ar -> gif(ctx));
        return;
      }
    }
    gif(ctx);
  }

  /**
   * For the router's 400 handler: a pixel request whose path or query Vert.x Web cannot decode (a mangled
   * {@code %} escape) still gets the GIF, as docs/api.md promises for every pixel request; nothing is recorded.
   * False, having answered nothing, for any other request.
   */
  public static boolean unroutablePixel(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    String path = ctx.request().path();
    if ((method != HttpMethod.GET && method != HttpMethod.HEAD) || path == null || !path.startsWith(PIXEL_PREFIX)
        || ctx.response().headWritten()) {
      return false;
    }
    gif(ctx);
    return true;
  }

  private static void gif(RoutingContext ctx) {
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, IMAGE_GIF)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
        // identity: never compressed, so every answer is the same 43 bytes
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
        .putHeader(HttpHeaders.CONTENT_LENGTH, GIF_LENGTH)
        .end(GIF);
  }

  /** {@code /t/c/{token}/{communicationId}?u=&s=}: a valid signature records the click and redirects. */
  private void click(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    String comm = ctx.pathParam("communicationId");
    String url = ctx.request().getParam("u");
    String sig = ctx.request().getParam("s");
    if (sig == null || sig.isEmpty()) {
      throw Problem.invalid("s", "is required: click links are signed");
    }
    if (!Tokens.looksValid(token) || !Uuids.canonical(comm) || !LinkSigner.allowedTarget(url)
        || !signer.verify(token, comm, url, sig)) {
      throw Problem.invalid("s", "is not a valid signature for this link");
    }
    // A shed or failed write still redirects: the person must reach the page.
    record(ctx.request(), Classifier.Kind.CLICK, token, UUID.fromString(comm), url)
        .onComplete(ar -> ctx.response().setStatusCode(302)
            .putHeader(HttpHeaders.LOCATION, url)
            .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
            .end());
  }

  private Future<Void> record(HttpServerRequest req, Classifier.Kind kind, String token,
                                            UUID communicationId, String url) {
    String ua = UserAgent.clip(req.getHeader(HttpHeaders.USER_AGENT));
    Origin.Seen seen = origin.of(req);
    return writer.submit(kind == Classifier.Kind.CLICK
        ? Journal.Entry.click(token, communicationId, now(), ua, seen.ip(), seen.signals() | Origin.acceptBit(req), url)
        : Journal.Entry.open(token, communicationId, now(), ua, seen.ip(), seen.signals()));
  }

  private static void beaconType(RoutingContext ctx) {
    String mime = Requests.mediaType(ctx);
    if (!mime.equals(Requests.TEXT) && !mime.equals(Requests.JSON)) {
      throw Problem.unsupportedMediaType("text/plain or application/json");
    }
    ctx.next();
  }

  /** {@code POST /t/b}: a page beacon; 204 once committed (also for an unknown token, storing nothing). */
  private void beacon(RoutingContext ctx) {
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    JsonObject body = raw == null ? null : Bodies.parseObject(raw);
    if (body == null) {
      throw Problem.malformed("The beacon must be a JSON object");
    }
    BeaconInput.Beacon b = BeaconInput.parse(body);
    if (!Tokens.looksValid(b.token())) {
      ctx.response().setStatusCode(204).end();
      return;
    }
    HttpServerRequest req = ctx.request();
    Journal.Entry entry = b.pageViewId() != null
        ? Journal.Entry.update(b.token(), b.pageViewId(), now(), b.timeOnPage(), b.actionsJson())
        : view(b, req);
    Future<Void> written = writer.submit(entry);
    written.onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  private Journal.Entry view(BeaconInput.Beacon b, HttpServerRequest req) {
    Origin.Seen seen = origin.of(req);
    return Journal.Entry.view(b.token(), Uuids.v7(), now(), UserAgent.clip(req.getHeader(HttpHeaders.USER_AGENT)),
        seen.ip(), seen.signals(), b.pageType(), b.timeOnPage(), b.actionsJson());
  }

  /** Now, in UTC. (OffsetDateTime.now builds the offset's ZoneRules on every call; this does no lookup.) */
  private static OffsetDateTime now() {
    Instant t = Instant.now();
    return OffsetDateTime.of(LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC),
        ZoneOffset.UTC);
  }
}
