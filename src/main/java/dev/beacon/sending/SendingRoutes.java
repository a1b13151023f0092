package dev.beacon.sending;

import dev.beacon.communications.Channel;
import dev.beacon.communications.MessageParts;
import dev.beacon.config.BeaconConfig;
import dev.beacon.db.Uuids;
import dev.beacon.http.Bodies;
import dev.beacon.http.Problem.FieldError;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /api/messages/preview}: what recording a message would answer as {@code instrumented}, recording
 * and gating nothing. The debtor's token is {@link #PREVIEW_TOKEN} (the shape and length of a real one, issued to
 * no debtor) and the communication id is the nil UUID, so nothing in a preview records an open, a click or a page
 * view; SMS short codes are fresh and not stored (they answer the unknown-code page), as long as real ones.
 */
public final class SendingRoutes {
  static final String PREVIEW_TOKEN = "PREVIEW_PREVIEW_PREVIEW_PREVIEW_";
  static final UUID PREVIEW_ID = new UUID(0, 0);
  private static final Set<String> FIELDS = Set.of("debtorId", "type", "subject", "html", "text");

  private final Pool pool;
  private final BeaconConfig config;
  private final Sending sending;

  private SendingRoutes(Vertx vertx, Pool pool, BeaconConfig config) {
    this.pool = pool;
    this.config = config;
    this.sending = new Sending(vertx, config);
  }

  public static void mount(Router router, Vertx vertx, Pool pool, BeaconConfig config) {
    SendingRoutes r = new SendingRoutes(vertx, pool, config);
    router.post("/api/messages/preview").handler(Bodies.limit(MessageParts.BODY_LIMIT)).handler(r::preview);
  }

  private void preview(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx);
    List<FieldError> errors = new ArrayList<>();
    for (String name : body.fieldNames()) {
      if (!FIELDS.contains(name)) {
        errors.add(new FieldError(name, "is not a known field"));
      }
    }
    UUID debtorId = Uuids.parseOrNull(body.getValue("debtorId"));
    if (debtorId == null) {
      errors.add(new FieldError("debtorId", "must be a UUID"));
    }
    Object rawType = body.getValue("type");
    Channel type = rawType instanceof String s ? Channel.of(s) : null;
    if (type == null || type == Channel.PHONE) {
      errors.add(new FieldError("type", "must be email or sms"));
    }
    Object subject = body.getValue("subject");
    if (subject != null && !(subject instanceof String)) {
      errors.add(new FieldError("subject", "must be a string"));
    }
    MessageParts parts = MessageParts.read(body, type, true, errors);
    if (errors.isEmpty() && parts.html() == null && parts.text() == null) {
      errors.add(new FieldError(type == Channel.SMS ? "text" : "html", "is required (html and/or text)"));
    }
    if (!errors.isEmpty()) {
      throw Problem.invalid(errors);
    }
    UUID id = debtorId;
    Instrumenter.Message m = new Instrumenter.Message(type == Channel.SMS, (String) subject, parts.html(), parts.text());
    String base = Requests.baseUrl(ctx, config);
    SendingRepository.mergeData(pool, id)
        .compose(found -> {
          var debtor = found.orElseThrow(() -> Problem.notFound("No debtor " + id));
          return sending.instrument(m, new Instrumenter.Recipient(PREVIEW_TOKEN, debtor.firstName(),
              debtor.balance()), base, PREVIEW_ID);
        })
        .onSuccess(out -> Requests.json(ctx, 200, new JsonObject().put("debtorId", id.toString())
            .put("type", type.wire()).put("communicationId", PREVIEW_ID.toString()).put("instrumented", out.toJson())))
        .onFailure(ctx::fail);
  }
}
