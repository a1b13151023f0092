package dev.beacon.delivery;

import dev.beacon.http.Problem;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Applies each provider event exactly once, in one transaction per event: the event row is inserted with
 * {@code ON CONFLICT DO NOTHING} on (provider, provider event id), so a replay or a concurrent second delivery
 * (which waits on the unique index) changes nothing. Events of one provider message are serialized by a
 * transaction-scoped advisory lock, and the debtor row is locked as the compliance gate locks it, so a contact
 * being checked sees the bounce or opt-out either wholly or not at all.
 *
 * <p>An event naming no known communication is kept unmatched. When a later event of the same provider message
 * does name its communication, or the sender records the message id ({@link ProviderMessages}), the unmatched
 * ones are matched to it and their effects applied then (in the order they occurred), so out-of-order delivery
 * ends in the same state.
 */
final class DeliveryLedger {
  static final String APPLIED = "applied";
  static final String DUPLICATE = "duplicate";
  static final String UNMATCHED = "unmatched";

  private static final String LOCK_MESSAGE =
      "SELECT pg_advisory_xact_lock(hashtextextended('delivery ' || $1 || ' ' || $2, 0))";

  private static final String COMMUNICATION = "SELECT id, debtor_id FROM communications WHERE id = $1";

  /** The message's communication: as the sender recorded it (provider_messages), else as an earlier event named it. */
  private static final String BY_MESSAGE = """
      SELECT id, debtor_id FROM (
        SELECT c.id, c.debtor_id, 0 AS rank FROM provider_messages m JOIN communications c ON c.id = m.communication_id
        WHERE m.provider = $1 AND m.message_id = $2
        UNION ALL
        (SELECT communication_id, debtor_id, 1 FROM delivery_events
         WHERE provider = $1 AND provider_message_id = $2 AND communication_id IS NOT NULL LIMIT 1)
      ) t ORDER BY rank LIMIT 1""";

  private static final String LOCK_DEBTOR = "SELECT 1 FROM debtors WHERE id = $1 FOR NO KEY UPDATE";

  private static final String INSERT = """
      INSERT INTO delivery_events (provider, provider_event_id, provider_message_id, communication_id, debtor_id,
                                   channel, kind, severity, recipient, reason, code, occurred_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      ON CONFLICT (provider, provider_event_id) DO NOTHING RETURNING id""";

  /** Matches the unmatched events of this provider message to its communication, oldest first. */
  private static final String ADOPT = """
      WITH m AS (
        UPDATE delivery_events SET communication_id = $3, debtor_id = $4, matched_at = now()
        WHERE provider = $1 AND provider_message_id = $2 AND communication_id IS NULL AND kind <> 'received'
        RETURNING id, channel, kind, severity, recipient, code, occurred_at
      ) SELECT * FROM m ORDER BY occurred_at""";

  private static final String HARD_BOUNCE = """
      INSERT INTO email_undeliverable (debtor_id, email, reason, delivery_event_id)
      SELECT d.id, lower(coalesce($2::text, d.email)), 'hard_bounce', $3::uuid FROM debtors d
      WHERE d.id = $1::uuid AND coalesce($2::text, d.email) IS NOT NULL
      ON CONFLICT (debtor_id, email) DO NOTHING""";

  /**
   * Messages that soft-bounced at the address since its last delivery (a provider reports each retry of one
   * message; it counts once): at {@code $4} in a row the address is undeliverable.
   */
  private static final String SOFT_BOUNCE = """
      INSERT INTO email_undeliverable (debtor_id, email, reason, delivery_event_id)
      SELECT $1::uuid, $2::text, 'soft_bounces', $3::uuid
      WHERE (SELECT count(DISTINCT coalesce(e.communication_id::text, e.provider_message_id, e.id::text))
             FROM delivery_events e
             WHERE e.debtor_id = $1::uuid AND e.channel = 'email' AND e.kind = 'bounced' AND e.severity = 'soft'
               AND e.recipient = $2::text
               AND e.occurred_at > coalesce((SELECT max(x.occurred_at) FROM delivery_events x
                                             WHERE x.debtor_id = $1::uuid AND x.kind = 'delivered' AND x.recipient = $2::text),
                                            '-infinity')) >= $4::int
      ON CONFLICT (debtor_id, email) DO NOTHING""";

  private static final String OPT_OUT = """
      INSERT INTO debtor_opt_outs (debtor_id, channel, source, communication_id, created_at)
      SELECT $1::uuid, $2::text, $3::text, $4::uuid, $5::timestamptz
      WHERE NOT EXISTS (SELECT 1 FROM debtor_opt_outs o WHERE o.debtor_id = $1::uuid AND o.channel = $2::text)""";

  private static final String DEBTOR_EMAIL = "SELECT email FROM debtors WHERE id = $1";

  private final Pool pool;
  private final int softBounceLimit;

  DeliveryLedger(Pool pool, int softBounceLimit) {
    this.pool = pool;
    this.softBounceLimit = softBounceLimit;
  }

  /** Records and applies one event in its own transaction: applied, unmatched or duplicate. */
  Future<String> apply(DeliveryEvent e) {
    return pool.withTransaction(conn -> apply(conn, e));
  }

  /** Records and applies one event inside the caller's transaction. */
  Future<String> apply(SqlConnection conn, DeliveryEvent e) {
    Future<?> locked = e.messageId() == null ? Future.succeededFuture() : lockMessage(conn, e.provider(), e.messageId());
    return locked.compose(x -> target(conn, e)).compose(target -> {
      Future<?> debtorLocked = target == null ? Future.succeededFuture() : lockDebtor(conn, target.debtorId());
      return debtorLocked.compose(x -> conn.preparedQuery(INSERT).execute(insertTuple(e, target)))
          .compose(rows -> {
            if (rows.size() == 0) {
              return Future.succeededFuture(DUPLICATE);
            }
            if (target == null) {
              return Future.succeededFuture(UNMATCHED);
            }
            UUID id = rows.iterator().next().getUUID("id");
            Effect effect = new Effect(id, e.channel(), e.kind(), e.severity(), e.recipient(), e.code(), utc(e));
            return effect(conn, target, effect)
                .compose(v -> e.messageId() == null ? Future.succeededFuture()
                    : adopt(conn, e.provider(), e.messageId(), target))
                .map(APPLIED);
          });
    });
  }

  /**
   * Serializes the work on one provider message (its events, the recording of its id) for this transaction. Taken
   * before {@link #lockDebtor}, always in that order.
   */
  static Future<Void> lockMessage(SqlConnection conn, Provider provider, String messageId) {
    return conn.preparedQuery(LOCK_MESSAGE).execute(Tuple.of(provider.wire(), messageId)).mapEmpty();
  }

  /** Locks the debtor row as the compliance gate does, so a check sees an event's effects wholly or not at all. */
  static Future<Void> lockDebtor(SqlConnection conn, UUID debtorId) {
    return conn.preparedQuery(LOCK_DEBTOR).execute(Tuple.of(debtorId)).mapEmpty();
  }

  /**
   * The communication and debtor an event belongs to: by its communication id, else by its message id as the
   * sender recorded it or as an earlier event of the message named it.
   */
  record Target(UUID communicationId, UUID debtorId) {}

  private Future<Target> target(SqlConnection conn, DeliveryEvent e) {
    Future<Target> named = e.communicationId() == null ? Future.succeededFuture()
        : conn.preparedQuery(COMMUNICATION).execute(Tuple.of(e.communicationId())).map(DeliveryLedger::first);
    return named.compose(t -> t != null || e.messageId() == null ? Future.succeededFuture(t)
        : conn.preparedQuery(BY_MESSAGE).execute(Tuple.of(e.provider().wire(), e.messageId()))
            .map(DeliveryLedger::first));
  }

  private static Target first(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row r = rows.iterator().next();
    return new Target(r.getUUID("id"), r.getUUID("debtor_id"));
  }

  private static Tuple insertTuple(DeliveryEvent e, Target t) {
    return Tuple.tuple().addValue(e.provider().wire()).addValue(e.eventId()).addValue(e.messageId())
        .addValue(t == null ? null : t.communicationId()).addValue(t == null ? null : t.debtorId())
        .addValue(e.channel()).addValue(e.kind()).addValue(e.severity()).addValue(e.recipient())
        .addValue(e.reason()).addValue(e.code()).addValue(utc(e));
  }

  /** What one stored event does to the gate. */
  private record Effect(UUID eventId, String channel, String kind, String severity, String recipient, String code,
                        OffsetDateTime at) {}

  /**
   * Matches the message's unmatched events to {@code target} and applies their effects, oldest first; answers how
   * many it matched (none the second time: only unmatched rows are taken).
   */
  Future<Integer> adopt(SqlConnection conn, Provider provider, String messageId, Target target) {
    return conn.preparedQuery(ADOPT).execute(Tuple.of(provider.wire(), messageId, target.communicationId(),
        target.debtorId())).compose(rows -> {
          List<Effect> effects = new ArrayList<>();
          for (Row r : rows) {
            effects.add(new Effect(r.getUUID("id"), r.getString("channel"), r.getString("kind"),
                r.getString("severity"), r.getString("recipient"), r.getString("code"), r.getOffsetDateTime("occurred_at")));
          }
          Future<Void> chain = Future.succeededFuture();
          for (Effect x : effects) {
            chain = chain.compose(v -> effect(conn, target, x));
          }
          return chain.map(effects.size());
        });
  }

  private Future<Void> effect(SqlConnection conn, Target t, Effect e) {
    UUID debtor = t.debtorId();
    if (DeliveryEvent.EMAIL.equals(e.channel())) {
      switch (e.kind()) {
        case DeliveryEvent.BOUNCED -> {
          if (DeliveryEvent.HARD.equals(e.severity())) {
            return conn.preparedQuery(HARD_BOUNCE).execute(Tuple.of(debtor, e.recipient(), e.eventId())).mapEmpty();
          }
          return recipientOf(conn, debtor, e.recipient()).compose(address -> address == null ? Future.succeededFuture()
              : conn.preparedQuery(SOFT_BOUNCE).execute(Tuple.of(debtor, address, e.eventId(), softBounceLimit))
                  .mapEmpty());
        }
        case DeliveryEvent.COMPLAINED -> {
          return optOut(conn, t, DeliveryEvent.EMAIL, "complaint", e.at());
        }
        case DeliveryEvent.UNSUBSCRIBED -> {
          return optOut(conn, t, DeliveryEvent.EMAIL, "provider_unsubscribe", e.at());
        }
        default -> {
          return Future.succeededFuture();
        }
      }
    }
    if (DeliveryEvent.FAILED.equals(e.kind()) && DeliveryEvent.TWILIO_UNSUBSCRIBED.equals(e.code())) {
      return optOut(conn, t, DeliveryEvent.SMS, "provider_unsubscribe", e.at());
    }
    return Future.succeededFuture();
  }

  private static Future<String> recipientOf(SqlConnection conn, UUID debtor, String recipient) {
    if (recipient != null) {
      return Future.succeededFuture(recipient);
    }
    return conn.preparedQuery(DEBTOR_EMAIL).execute(Tuple.of(debtor))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("email"));
  }

  private static Future<Void> optOut(SqlConnection conn, Target t, String channel, String source, OffsetDateTime at) {
    return conn.preparedQuery(OPT_OUT).execute(Tuple.of(t.debtorId(), channel, source, t.communicationId(), at))
        .mapEmpty();
  }

  private static OffsetDateTime utc(DeliveryEvent e) {
    return e.occurredAt().atOffset(ZoneOffset.UTC);
  }

  /** For providers that sign no body (Mailgun): a token seen before fails the transaction, unless a duplicate. */
  static final String SEE_TOKEN = """
      WITH pruned AS (DELETE FROM webhook_tokens WHERE provider = $1 AND seen_at < now() - interval '1 day')
      INSERT INTO webhook_tokens (provider, token) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING token""";

  static final String KNOWN_EVENT = "SELECT 1 FROM delivery_events WHERE provider = $1 AND provider_event_id = $2";

  /** Applies an event whose signature covers only {@code token}: a replayed token with a new event is refused. */
  Future<String> applyOnce(DeliveryEvent e, String token) {
    return pool.withTransaction(conn -> conn.preparedQuery(SEE_TOKEN).execute(Tuple.of(e.provider().wire(), token))
        .compose(rows -> rows.size() > 0 ? apply(conn, e)
            : conn.preparedQuery(KNOWN_EVENT).execute(Tuple.of(e.provider().wire(), e.eventId())).map(known -> {
              if (known.size() == 0) {
                throw Problem.badSignature("This signature token was already used");
              }
              return DUPLICATE;
            })));
  }
}
