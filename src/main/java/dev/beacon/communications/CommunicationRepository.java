package dev.beacon.communications;

import dev.beacon.http.Problem;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.StreamSupport;

/** SQL of the communications feature: the gate's facts, the audit trail, refusals and follow-ups. */
public final class CommunicationRepository {
  /**
   * A debtor's compliance facts in one round trip: flags, zones, opted-out channels, and the phone history
   * around {@code $2} (seven days back for the limits; two weeks ahead so {@code nextAllowedAt} sees calls
   * imported out of order).
   */
  private static final String FACTS = """
      SELECT d.status, d.email_consent, d.phone_consent, d.dnc_registered, d.timezone, d.state, d.unique_token,
             d.id, d.first_name, greatest(d.total_owed - d.amount_paid, 0) AS balance,
             ARRAY(SELECT DISTINCT o.channel::text FROM debtor_opt_outs o WHERE o.debtor_id = d.id) AS opted_out,
             EXISTS (SELECT 1 FROM email_undeliverable u WHERE u.debtor_id = d.id AND u.email = d.email)
               AS email_undeliverable,
             ARRAY(SELECT c."timestamp" FROM communications c
                   WHERE c.debtor_id = d.id AND c.type = 'phone' AND c.direction = 'outbound'
                     AND c."timestamp" > $2::timestamptz - interval '7 days'
                     AND c."timestamp" <= $2::timestamptz + interval '14 days') AS calls,
             ARRAY(SELECT c."timestamp" FROM communications c
                   WHERE c.debtor_id = d.id AND c.type = 'phone'
                     AND (c.direction = 'inbound' OR c.call_outcome = 'answered')
                     AND c."timestamp" > $2::timestamptz - interval '7 days'
                     AND c."timestamp" <= $2::timestamptz + interval '14 days') AS conversations
      FROM debtors d WHERE d.id = ANY($1::uuid[])""";

  /**
   * Locks the debtor row so contacts for one debtor are checked and recorded one at a time. A statement of
   * its own: under READ COMMITTED the facts query that follows takes a fresh snapshot and so sees the contacts
   * committed by whoever held the lock before (a locking query's own sub-selects would not). NO KEY UPDATE
   * serialises contacts just the same but, unlike FOR UPDATE, lets tracking keep inserting rows that
   * reference the debtor (their foreign keys take KEY SHARE locks) while a contact is being recorded.
   */
  private static final String LOCK_DEBTOR = "SELECT 1 FROM debtors WHERE id = $1 FOR NO KEY UPDATE";

  /**
   * Records a passed or inbound contact, moves the debtor's counters, and (for an inbound SMS revocation not
   * already in force) records the SMS opt-out, in one statement.
   */
  private static final String INSERT = """
      WITH c AS (
        INSERT INTO communications (id, debtor_id, type, direction, subject, content, call_duration, call_outcome,
                                    "timestamp", ai_generated, compliance_checked, compliance_rule_set,
                                    requires_followup, followup_date, content_html)
        VALUES (coalesce($15, gen_random_uuid()), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $16)
        RETURNING *
      ), counters AS (
        UPDATE debtors SET
          total_contacts = total_contacts + CASE WHEN $3 = 'outbound' THEN 1 ELSE 0 END,
          last_contact_date = CASE WHEN $3 = 'outbound' THEN greatest(last_contact_date, $8) ELSE last_contact_date END,
          last_response_date = CASE WHEN $3 = 'inbound' THEN greatest(last_response_date, $8) ELSE last_response_date END,
          updated_at = now()
        WHERE id = $1
      ), opt_out AS (
        INSERT INTO debtor_opt_outs (debtor_id, channel, source, communication_id, created_at)
        SELECT c.debtor_id, 'sms', 'inbound_sms', c.id, c."timestamp" FROM c
        WHERE $14 AND NOT EXISTS (SELECT 1 FROM debtor_opt_outs o WHERE o.debtor_id = $1 AND o.channel = 'sms')
        RETURNING id
      )
      SELECT c.*, (SELECT count(*) FROM opt_out) AS opted_out FROM c""";

  private static final String INSERT_REFUSAL = """
      INSERT INTO compliance_refusals (debtor_id, type, attempted_at, rule, detail, next_allowed_at, rule_set)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""";

  private static final String DEBTOR_TOKEN = "SELECT unique_token FROM debtors WHERE id = $1";

  /*
   * An opt-out an agent records (the debtor asked on a call or in a letter). The debtor row is locked as the
   * gate locks it, so a contact being recorded at the same moment is gated either before or after the opt-out.
   * A channel already opted out gets no second row; its first opt-out is answered.
   */
  private static final String AGENT_OPT_OUT = """
      WITH d AS (SELECT id FROM debtors WHERE id = $1 FOR NO KEY UPDATE),
      existing AS (
        SELECT o.source, o.created_at FROM debtor_opt_outs o JOIN d ON o.debtor_id = d.id
        WHERE o.channel = $2 ORDER BY o.created_at LIMIT 1
      ),
      ins AS (
        INSERT INTO debtor_opt_outs (debtor_id, channel, source)
        SELECT d.id, $2, 'agent' FROM d WHERE NOT EXISTS (SELECT 1 FROM existing)
        RETURNING source, created_at
      )
      SELECT true AS created, source, created_at FROM ins
      UNION ALL SELECT false, source, created_at FROM existing""";

  /** An opt-out as answered: whether this request created it, its source and time. */
  public record OptOut(boolean created, String source, OffsetDateTime at) {}

  /** Records an agent's opt-out of {@code channel}; 404 for an unknown debtor. */
  public Future<OptOut> optOut(SqlClient sql, UUID debtorId, Channel channel) {
    return sql.preparedQuery(AGENT_OPT_OUT).execute(Tuple.of(debtorId, channel.wire())).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(Problem.notFound("No debtor " + debtorId));
      }
      Row r = rows.iterator().next();
      return Future.succeededFuture(new OptOut(r.getBoolean("created"), r.getString("source"),
          r.getOffsetDateTime("created_at")));
    });
  }

  private static final String LIST = """
      SELECT *, beacon_delivery_status(id) AS delivery_status FROM communications
      WHERE debtor_id = $1 AND ($2::timestamptz IS NULL OR ("timestamp", id) < ($2, $3::uuid))
      ORDER BY "timestamp" DESC, id DESC LIMIT $4""";

  private static final String FOLLOWUPS = """
      SELECT c.*, beacon_delivery_status(c.id) AS delivery_status FROM communications c
      WHERE requires_followup
        AND (followup_date <= $1
             OR EXISTS (SELECT 1 FROM delivery_events e WHERE e.communication_id = c.id
                        AND (e.kind = 'failed' OR (e.kind = 'bounced' AND e.severity = 'hard'))))
        AND ($2::timestamptz IS NULL OR (followup_date, id) > ($2, $3::uuid))
      ORDER BY followup_date, id LIMIT $4""";

  /**
   * The debtor a contact is about: their page token (for tracking URLs), what merge fields may print (first
   * name, balance) and the gate's facts.
   */
  public record Subject(String token, String firstName, BigDecimal balance, ContactFacts facts) {}

  /** A recorded communication and whether it put an SMS opt-out in force. */
  public record Recorded(Communication communication, boolean optedOut) {}

  /** Loads the facts; with {@code lock}, inside a transaction, also locks the debtor row. 404 if unknown. */
  public Future<Subject> subject(SqlClient sql, UUID debtorId, Instant at, boolean lock) {
    Future<?> locked = lock ? sql.preparedQuery(LOCK_DEBTOR).execute(Tuple.of(debtorId)) : Future.succeededFuture();
    return locked.compose(v -> sql.preparedQuery(FACTS).execute(Tuple.of(new UUID[] {debtorId}, utc(at))))
        .map(rows -> {
          if (rows.size() == 0) {
            throw Problem.notFound("No debtor " + debtorId);
          }
          return toSubject(rows.iterator().next());
        });
  }

  /**
   * The gate's facts of many debtors at {@code at} in one round trip (the same query as a single contact's),
   * by debtor id; unknown ids are absent.
   */
  public Future<Map<UUID, ContactFacts>> facts(SqlClient sql, List<UUID> debtorIds, Instant at) {
    if (debtorIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return sql.preparedQuery(FACTS).execute(Tuple.of(debtorIds.toArray(new UUID[0]), utc(at))).map(rows -> {
      Map<UUID, ContactFacts> facts = new HashMap<>(rows.size() * 2);
      rows.forEach(r -> facts.put(r.getUUID("id"), toSubject(r).facts()));
      return facts;
    });
  }

  private static Subject toSubject(Row r) {
    Set<Channel> optedOut = EnumSet.noneOf(Channel.class);
    for (String channel : r.getArrayOfStrings("opted_out")) {
      optedOut.add(Objects.requireNonNull(Channel.of(channel)));
    }
    ContactFacts facts = new ContactFacts(r.getString("status"), r.getBoolean("email_consent"),
        r.getBoolean("phone_consent"), r.getBoolean("dnc_registered"),
        ContactFacts.zonesOf(r.getString("timezone"), r.getString("state")), optedOut,
        instants(r, "calls"), instants(r, "conversations"), r.getBoolean("email_undeliverable"));
    return new Subject(r.getString("unique_token"), r.getString("first_name"), r.getBigDecimal("balance"), facts);
  }

  private static List<Instant> instants(Row r, String column) {
    return Arrays.stream(r.getArrayOfOffsetDateTimes(column)).map(OffsetDateTime::toInstant).toList();
  }

  /** What is stored as the message: the id chosen beforehand (or null) and the parts as sent. */
  public record Sent(UUID id, String subject, String content, String html) {
    static Sent of(CommunicationInput in) {
      return new Sent(null, in.subject(), in.content(), null);
    }
  }

  public Future<Recorded> insert(SqlClient sql, UUID debtorId, CommunicationInput in, Sent sent, Instant at,
                                 String ruleSet, boolean revokesSms) {
    Tuple t = Tuple.tuple()
        .addValue(debtorId).addValue(in.type().wire()).addValue(in.direction()).addValue(sent.subject())
        .addValue(sent.content()).addValue(in.callDuration()).addValue(in.callOutcome()).addValue(utc(at))
        .addValue(in.aiGenerated()).addValue(ruleSet != null).addValue(ruleSet).addValue(in.requiresFollowup())
        .addValue(in.followupDate()).addValue(revokesSms).addValue(sent.id()).addValue(sent.html());
    return sql.preparedQuery(INSERT).execute(t).map(rows -> {
      Row r = rows.iterator().next();
      return new Recorded(Communication.from(r), r.getLong("opted_out") > 0);
    });
  }

  public Future<UUID> insertRefusal(SqlClient sql, UUID debtorId, Channel type, Instant at, Decision d) {
    Tuple t = Tuple.of(debtorId, type.wire(), utc(at), d.rule(), d.detail(),
        d.nextAllowedAt() == null ? null : utc(d.nextAllowedAt()), Compliance.RULE_SET);
    return sql.preparedQuery(INSERT_REFUSAL).execute(t).map(rows -> rows.iterator().next().getUUID("id"));
  }

  /**
   * One page of a debtor's communications, newest first, fetching one row beyond {@code limit}; with
   * {@code hideToken}, the debtor's token masked in their text.
   */
  public Future<List<Communication>> list(SqlClient sql, UUID debtorId, OffsetDateTime beforeAt, UUID beforeId,
                                          int limit, boolean hideToken) {
    return sql.preparedQuery(DEBTOR_TOKEN).execute(Tuple.of(debtorId)).compose(found -> {
      if (found.size() == 0) {
        return Future.failedFuture(Problem.notFound("No debtor " + debtorId));
      }
      String token = found.iterator().next().getString(0);
      return sql.preparedQuery(LIST).mapping(Communication::from).execute(Tuple.of(debtorId, beforeAt, beforeId, limit + 1))
          .map(rows -> StreamSupport.stream(rows.spliterator(), false)
              .map(c -> hideToken ? c.maskingToken(token) : c).toList());
    });
  }

  /**
   * Communications whose follow-up is due by {@code due}, oldest follow-up first, and every one marked for
   * follow-up whose message bounced or failed whatever its date (12 CFR 1006.42: it was not delivered).
   */
  public Future<List<Communication>> followups(SqlClient sql, OffsetDateTime due, OffsetDateTime afterDate,
                                               UUID afterId, int limit) {
    return sql.preparedQuery(FOLLOWUPS).mapping(Communication::from).execute(Tuple.of(due, afterDate, afterId, limit + 1))
        .map(rows -> StreamSupport.stream(rows.spliterator(), false).toList());
  }

  private static OffsetDateTime utc(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }
}
