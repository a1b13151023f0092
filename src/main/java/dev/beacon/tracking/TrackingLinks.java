package dev.beacon.tracking;

import dev.beacon.config.BeaconConfig;
import dev.beacon.db.Uuids;
import dev.beacon.http.Bodies;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** {@code POST /api/tracking-links}: a signed click-tracking URL for one debtor, communication and target. */
final class TrackingLinks {
  private final TrackingLinkRepository repository;
  private final BeaconConfig config;
  private final LinkSigner signer;

  private TrackingLinks(Pool pool, BeaconConfig config, LinkSigner signer) {
    this.repository = new TrackingLinkRepository(pool);
    this.config = config;
    this.signer = signer;
  }

  static void mount(Router router, Pool pool, BeaconConfig config, LinkSigner signer) {
    TrackingLinks t = new TrackingLinks(pool, config, signer);
    router.post("/api/tracking-links").handler(Bodies.limit(config.http().bodyLimit())).handler(t::create);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx);
    List<Problem.FieldError> errors = new ArrayList<>();
    UUID debtorId = Uuids.parseOrNull(body.getValue("debtorId"));
    if (debtorId == null) {
      errors.add(new Problem.FieldError("debtorId", "must be a UUID"));
    }
    UUID communicationId = Uuids.parseOrNull(body.getValue("communicationId"));
    if (communicationId == null) {
      errors.add(new Problem.FieldError("communicationId", "must be a UUID"));
    }
    Object url = body.getValue("url");
    if (!(url instanceof String u) || !LinkSigner.allowedTarget(u)) {
      errors.add(new Problem.FieldError("url", "must be an absolute http or https URL of at most "
          + LinkSigner.MAX_URL_LENGTH + " characters"));
    }
    if (!errors.isEmpty()) {
      throw Problem.invalid(errors);
    }
    String target = (String) url;
    repository.token(debtorId, communicationId)
        .map(found -> {
          if (found.token() == null) {
            throw Problem.notFound("No debtor " + debtorId);
          }
          if (!found.communication()) {
            throw Problem.notFound("Debtor " + debtorId + " has no communication " + communicationId);
          }
          return found.token();
        })
        .onSuccess(token -> Requests.json(ctx, 200, new JsonObject().put("trackedUrl",
            signer.trackedUrl(Requests.baseUrl(ctx, config), token, communicationId.toString(), target))))
        .onFailure(ctx::fail);
  }
}
