package dev.beacon.delivery;

import dev.beacon.http.Bodies;
import dev.beacon.http.Problem;
import dev.beacon.http.Problem.FieldError;
import dev.beacon.http.Requests;
import dev.beacon.http.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code PUT /api/communications/{id}/provider-message {provider, messageId}}: the sender tells Beacon the id the
 * provider gave the message when it was sent. In the same transaction the message's events that arrived naming no
 * communication are matched to it and their effects applied (once: only unmatched events are taken), and events
 * that arrive later carrying only the message id find the communication. 201 when recorded, 200 when this id was
 * already recorded for it; 409 when the communication has another id at that provider or the id belongs to
 * another communication.
 */
final class ProviderMessages {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderMessages.class);
  static final Set<String> FIELDS = Set.of("provider", "messageId");

  private static final String COMMUNICATION = "SELECT debtor_id, type FROM communications WHERE id = $1";

  /** The ids this communication already has at the provider: recorded, or carried by its matched events. */
  private static final String KNOWN = """
      SELECT message_id FROM provider_messages WHERE communication_id = $1 AND provider = $2
      UNION
      SELECT provider_message_id FROM delivery_events
      WHERE communication_id = $1 AND provider = $2 AND provider_message_id IS NOT NULL""";

  /** Another communication the provider message already belongs to. */
  private static final String OTHER_OWNER = """
      SELECT communication_id FROM provider_messages WHERE provider = $1 AND message_id = $2 AND communication_id <> $3
      UNION ALL
      SELECT communication_id FROM delivery_events
      WHERE provider = $1 AND provider_message_id = $2 AND communication_id IS NOT NULL AND communication_id <> $3
      LIMIT 1""";

  /* Conflicts on either key (a concurrent record of another id for this communication) insert nothing. */
  private static final String INSERT = """
      INSERT INTO provider_messages (provider, message_id, communication_id) VALUES ($1, $2, $3)
      ON CONFLICT DO NOTHING RETURNING recorded_at""";

  private static final String RECORDED = """
      SELECT recorded_at FROM provider_messages WHERE provider = $1 AND message_id = $2 AND communication_id = $3""";

  /** A validated request. */
  record Input(Provider provider, String messageId) {}

  /** What a call did: whether it recorded the id now, when it was recorded, how many waiting events it matched. */
  record Recorded(boolean created, OffsetDateTime recordedAt, int matched) {}

  private final Pool pool;
  private final DeliveryLedger ledger;

  ProviderMessages(Pool pool, DeliveryLedger ledger) {
    this.pool = pool;
    this.ledger = ledger;
  }

  void handle(RoutingContext ctx) {
    UUID id = Requests.uuid(ctx, "id");
    Input in = input(Bodies.object(ctx));
    record(id, in).onSuccess(r -> Requests.json(ctx, r.created() ? 201 : 200, new JsonObject()
            .put("communicationId", id.toString()).put("provider", in.provider().wire())
            .put("messageId", in.messageId()).put("recordedAt", Times.format(r.recordedAt()))
            .put("matchedEvents", r.matched())))
        .onFailure(ctx::fail);
  }

  /** Every error names its field, all in one 400. */
  static Input input(JsonObject body) {
    List<FieldError> errors = new ArrayList<>();
    for (String name : body.fieldNames()) {
      if (!FIELDS.contains(name)) {
        errors.add(new FieldError(name, "is not a known field"));
      }
    }
    Object rawProvider = body.getValue("provider");
    Provider provider = rawProvider instanceof String s ? Provider.of(s) : null;
    if (provider == null) {
      errors.add(new FieldError("provider", rawProvider == null ? "is required"
          : "must be sendgrid, postmark, mailgun, ses or twilio"));
    }
    Object rawId = body.getValue("messageId");
    String messageId = null;
    if (!(rawId instanceof String s)) {
      errors.add(new FieldError("messageId", rawId == null ? "is required" : "must be a string"));
    } else if (provider != null) {
      StringBuilder why = new StringBuilder();
      messageId = MessageIds.normalize(provider, s, why);
      if (messageId == null) {
        errors.add(new FieldError("messageId", why.toString()));
      }
    }
    if (!errors.isEmpty()) {
      throw Problem.invalid(errors);
    }
    return new Input(provider, messageId);
  }

  Future<Recorded> record(UUID communicationId, Input in) {
    return pool.withTransaction(conn -> conn.preparedQuery(COMMUNICATION).execute(Tuple.of(communicationId))
        .compose(rows -> {
          if (rows.size() == 0) {
            throw Problem.notFound("No communication " + communicationId);
          }
          Row c = rows.iterator().next();
          String type = c.getString("type");
          if (!in.provider().channel().equals(type)) {
            throw Problem.invalid("provider", in.provider().wire() + " sends " + in.provider().channel()
                + " and this communication is " + (type.equals("phone") ? "a phone call" : "an " + type));
          }
          var target = new DeliveryLedger.Target(communicationId, c.getUUID("debtor_id"));
          return DeliveryLedger.lockMessage(conn, in.provider(), in.messageId())
              .compose(v -> DeliveryLedger.lockDebtor(conn, target.debtorId()))
              .compose(v -> checkFree(conn, communicationId, in))
              .compose(v -> insert(conn, communicationId, in))
              .compose(recorded -> ledger.adopt(conn, in.provider(), in.messageId(), target)
                  .map(n -> new Recorded(recorded.created(), recorded.recordedAt(), n)));
        }));
  }

  /** 409 unless the communication has no other id at this provider and the id is no other communication's. */
  private static Future<Void> checkFree(SqlConnection conn, UUID communicationId, Input in) {
    return conn.preparedQuery(KNOWN).execute(Tuple.of(communicationId, in.provider().wire())).compose(known -> {
      for (Row r : known) {
        if (!r.getString(0).equals(in.messageId())) {
          LOG.debug("Communication {} already has another {} message id", communicationId, in.provider().wire());
          throw Problem.conflict("This communication already has another " + in.provider().wire() + " message id");
        }
      }
      return conn.preparedQuery(OTHER_OWNER).execute(Tuple.of(in.provider().wire(), in.messageId(), communicationId));
    }).map(other -> {
      if (other.size() > 0) {
        LOG.debug("A {} message id for communication {} belongs to another", in.provider().wire(), communicationId);
        throw Problem.conflict("This " + in.provider().wire() + " message id belongs to another communication");
      }
      return null;
    });
  }

  private static Future<Recorded> insert(SqlConnection conn, UUID communicationId, Input in) {
    Tuple key = Tuple.of(in.provider().wire(), in.messageId(), communicationId);
    return conn.preparedQuery(INSERT).execute(key).compose(rows -> {
      if (rows.size() > 0) {
        return Future.succeededFuture(new Recorded(true, rows.iterator().next().getOffsetDateTime(0), 0));
      }
      // Already recorded (a replay), or a concurrent call recorded another id for this communication.
      return conn.preparedQuery(RECORDED).execute(key).map(same -> {
        if (same.size() == 0) {
          throw Problem.conflict("This communication already has another " + in.provider().wire() + " message id");
        }
        return new Recorded(false, same.iterator().next().getOffsetDateTime(0), 0);
      });
    });
  }
}
