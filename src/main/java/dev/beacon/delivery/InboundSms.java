package dev.beacon.delivery;

import dev.beacon.communications.Channel;
import dev.beacon.communications.CommunicationInput;
import dev.beacon.communications.CommunicationRepository;
import dev.beacon.communications.CommunicationService;
import dev.beacon.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A text message a debtor sent (Twilio's incoming-message webhook) becomes an inbound {@code sms} communication of
 * every debtor with that number, through {@link CommunicationService}: a revocation word records the SMS opt-out
 * there. The MessageSid is recorded in the same transaction, so a retried webhook records nothing twice.
 */
final class InboundSms {
  /** The last ten digits identify a North American number whatever its prefix ("+1", "1" or none). */
  private static final String DEBTORS_BY_PHONE = """
      SELECT id FROM debtors
      WHERE phone IS NOT NULL AND right(regexp_replace(phone, '[^0-9]', '', 'g'), 10) = $1
      ORDER BY created_at, id LIMIT 20""";
  private static final int CONTENT_MAX = 60_000;

  private final Pool pool;
  private final DeliveryLedger ledger;
  private final CommunicationService communications;
  private final Clock clock;

  InboundSms(Pool pool, DeliveryLedger ledger, Clock clock) {
    this.pool = pool;
    this.ledger = ledger;
    this.clock = clock;
    this.communications = new CommunicationService(pool, new CommunicationRepository(), clock);
  }

  /** Records the message: applied (recorded for n debtors), unmatched (no debtor has the number), duplicate. */
  Future<String> record(MultiMap p) {
    String sid = p.get("MessageSid");
    String from = p.get("From");
    if (sid == null || from == null) {
      throw Problem.invalid(sid == null ? "MessageSid" : "From", "is required");
    }
    String digits = from.replaceAll("[^0-9]", "");
    if (digits.length() < 7) {
      throw Problem.invalid("From", "must be a phone number");
    }
    String key = digits.length() > 10 ? digits.substring(digits.length() - 10) : digits;
    String body = p.get("Body") == null ? "" : p.get("Body");
    Instant now = clock.instant();
    DeliveryEvent seen = new DeliveryEvent(Provider.TWILIO, "inbound:" + sid, sid, null, DeliveryEvent.SMS,
        DeliveryEvent.RECEIVED, null, null, null, null, now);
    CommunicationInput in = new CommunicationInput(Channel.SMS, false, null,
        body.length() > CONTENT_MAX ? body.substring(0, CONTENT_MAX) : body, null, null, false, false, null,
        now.atOffset(ZoneOffset.UTC), null, null);
    return pool.withTransaction(conn -> ledger.apply(conn, seen).compose(outcome -> {
      if (outcome.equals(DeliveryLedger.DUPLICATE)) {
        return Future.succeededFuture(outcome);
      }
      return conn.preparedQuery(DEBTORS_BY_PHONE).execute(Tuple.of(key)).compose(rows -> {
        List<UUID> debtors = new ArrayList<>();
        for (Row r : rows) {
          debtors.add(r.getUUID("id"));
        }
        Future<Void> chain = Future.succeededFuture();
        for (UUID debtor : debtors) {
          chain = chain.compose(v -> communications.recordInbound(conn, debtor, in).mapEmpty());
        }
        return chain.map(debtors.isEmpty() ? DeliveryLedger.UNMATCHED : DeliveryLedger.APPLIED);
      });
    }));
  }
}
