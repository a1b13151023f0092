package dev.beacon.tracking;

import dev.beacon.config.BeaconConfig;
import dev.beacon.http.Bodies;
import dev.beacon.http.Problem;
import dev.beacon.http.Requests;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** {@code POST /api/tracking-links}: a signed click-tracking URL for one debtor, communication and target. */
final class TrackingLinks {
  private static final String LOOKUP = """
      SELECT d.unique_token, c.id AS communication_id
      FROM debtors d LEFT JOIN communications c ON c.id = $2 AND c.debtor_id = d.id
      WHERE d.id = $1""";

  private final Pool pool;
  private final BeaconConfig config;
  private final LinkSigner signer;

  private TrackingLinks(Pool pool, BeaconConfig config, LinkSigner signer) {
    this.pool = pool;
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
    UUID debtorId = Beacons.uuid(body.getValue("debtorId"));
    if (debtorId == null) {
      errors.add(new Problem.FieldError("debtorId", "must be a UUID"));
    }
    UUID communicationId = Beacons.uuid(body.getValue("communicationId"));
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
    pool.preparedQuery(LOOKUP).execute(Tuple.of(debtorId, communicationId))
        .map(rows -> {
          if (rows.size() == 0) {
            throw Problem.notFound("No debtor " + debtorId);
          }
          Row r = rows.iterator().next();
          if (r.getUUID("communication_id") == null) {
            throw Problem.notFound("Debtor " + debtorId + " has no communication " + communicationId);
          }
          return r.getString("unique_token");
        })
        .onSuccess(token -> Requests.json(ctx, 200, new JsonObject().put("trackedUrl",
            signer.trackedUrl(Requests.baseUrl(ctx, config), token, communicationId.toString(), target))))
        .onFailure(ctx::fail);
  }
}
