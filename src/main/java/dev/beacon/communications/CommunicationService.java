package dev.beacon.communications;

import dev.beacon.http.Problem;
import dev.beacon.http.Times;
import dev.beacon.sending.Instrumented;
import dev.beacon.sending.Instrumenter;
import dev.beacon.sending.Sending;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Records contacts through the compliance gate. Each contact runs in one transaction that locks the debtor
 * row first: the facts the gate reads (notably the count of recent calls), the insert and the counters are
 * consistent, so two concurrent calls cannot both pass as the seventh and no counter update is lost.
 */
public final class CommunicationService {
  private static final Logger LOG = LoggerFactory.getLogger(CommunicationService.class);

  private final Pool pool;
  private final CommunicationRepository repo;
  private final Clock clock;

  private final Sending sending;

  public CommunicationService(Pool pool, CommunicationRepository repo, Clock clock, Sending sending) {
    this.pool = pool;
    this.repo = repo;
    this.clock = clock;
    this.sending = sending;
  }

  /** A service that records contacts but instruments no message (a provider webhook's inbound messages). */
  public CommunicationService(Pool pool, CommunicationRepository repo, Clock clock) {
    this(pool, repo, clock, null);
  }

  /**
   * A recorded contact, with what the answer needs: the debtor's page token, any opt-out it caused and, for a
   * message given as html/text, what Beacon made of it.
   */
  public record Outcome(Communication communication, String debtorToken, boolean optedOut, Instrumented instrumented) {}

  private record Attempt(Outcome recorded, Decision refusal) {}

  /**
   * Records the contact, or fails with a 422 {@link Problem} naming the rule after the refusal is logged
   * (the refusal log commits; nothing is stored as sent).
   */
  public Future<Outcome> record(UUID debtorId, CommunicationInput in, String base) {
    return pool.withTransaction(conn -> attempt(conn, debtorId, in, base)).map(attempt -> {
      if (attempt.refusal() != null) {
        Decision d = attempt.refusal();
        LOG.debug("Refused {} contact for debtor {}: rule {}", in.type().wire(), debtorId, d.rule());
        throw Problem.refused(d.rule(), d.detail(), Times.format(d.nextAllowedAt()));
      }
      if (attempt.recorded().optedOut()) {
        LOG.info("Inbound SMS revocation from debtor {}: SMS opt-out recorded", debtorId);
      }
      return attempt.recorded();
    });
  }

  /**
   * Records an inbound contact inside the caller's transaction (a provider webhook commits it with its own event
   * record), through the same path as {@link #record}: an inbound SMS revocation records the SMS opt-out.
   */
  public Future<Outcome> recordInbound(SqlConnection conn, UUID debtorId, CommunicationInput in) {
    if (in.outbound() || in.instrumented()) {
      throw new IllegalArgumentException("only inbound contacts are recorded without the gate's answer");
    }
    return attempt(conn, debtorId, in, null).map(attempt -> {
      if (attempt.recorded().optedOut()) {
        LOG.info("Inbound SMS revocation from debtor {}: SMS opt-out recorded", debtorId);
      }
      return attempt.recorded();
    });
  }

  private Future<Attempt> attempt(SqlConnection conn, UUID debtorId, CommunicationInput in, String base) {
    Instant at = in.when(clock.instant());
    return repo.subject(conn, debtorId, at, true).compose(subject -> {
      if (in.outbound()) {
        Decision d = Compliance.check(subject.facts(), in.type(), at);
        if (!d.allowed()) {
          return repo.insertRefusal(conn, debtorId, in.type(), at, d).map(id -> new Attempt(null, d));
        }
      }
      boolean revokesSms = !in.outbound() && in.type() == Channel.SMS && SmsRevocation.isRevocation(in.content());
      String ruleSet = in.outbound() ? Compliance.RULE_SET : null;
      if (!in.instrumented()) {
        return repo.insert(conn, debtorId, in, CommunicationRepository.Sent.of(in), at, ruleSet, revokesSms)
            .map(r -> new Attempt(new Outcome(r.communication(), subject.token(), r.optedOut(), null), null));
      }
      // Passed the gate: only now is the message instrumented, stored as sent, and its short links bound.
      UUID id = UUID.randomUUID();
      var message = new Instrumenter.Message(in.type() == Channel.SMS, in.subject(), in.html(), in.text());
      var recipient = new Instrumenter.Recipient(subject.token(), subject.firstName(), subject.balance());
      return sending.instrument(message, recipient, base, id)
          .compose(out -> repo.insert(conn, debtorId, in,
                  new CommunicationRepository.Sent(id, out.subject(), out.text(), out.html()), at, ruleSet, false)
              .compose(r -> sending.bind(conn, debtorId, id, out).map(v ->
                  new Attempt(new Outcome(r.communication(), subject.token(), false, out), null))));
    });
  }

  /** What the gate would answer for an outbound contact at {@code at} (now when null); records nothing. */
  public Future<Decision> check(UUID debtorId, Channel type, Instant at) {
    Instant when = at == null ? clock.instant() : at;
    return repo.subject(pool, debtorId, when, false).map(s -> Compliance.check(s.facts(), type, when));
  }
}
