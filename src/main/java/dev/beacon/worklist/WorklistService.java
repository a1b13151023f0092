package dev.beacon.worklist;

import dev.beacon.communications.Channel;
import dev.beacon.communications.CommunicationRepository;
import dev.beacon.communications.Compliance;
import dev.beacon.communications.ContactFacts;
import dev.beacon.communications.Decision;
import dev.beacon.core.DebtorStatus;
import dev.beacon.http.Problem;
import dev.beacon.worklist.WorklistRepository.Candidate;
import dev.beacon.worklist.WorklistRepository.Key;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The worklist and next-contact answers. Candidates come from SQL in ranking order (expected collection, then
 * id, both descending), pre-filtered only by conditions the gate needs; each one is then put through the real
 * {@link Compliance} gate at {@code at}. Because the gate drops rows, batches are fetched until the page is full,
 * the candidates run out, or {@link #MAX_EXAMINED} candidates were examined (then the page may be short and its
 * cursor resumes after the last candidate examined).
 */
final class WorklistService {
  /** The most candidates one request puts through the gate. */
  static final int MAX_EXAMINED = 2_000;
  static final int MIN_BATCH = 64;
  static final int MAX_BATCH = 1_000;
  static final Duration AHEAD = Duration.ofDays(7);

  /** A ranked debtor with the gate's decision at {@code at}, and for worklist rows its best hour today. */
  record Entry(Candidate debtor, ZoneId zone, ContactFacts facts, Decision decision, String blockedBy,
               BestTime.Slot bestHour) {}

  record Page(List<Entry> items, Key next) {}

  /** One channel of a next-contact answer. */
  record ChannelAnswer(Decision now, Instant nextAllowedAt, BestTime.Slot best) {}

  record NextContact(UUID debtorId, ZoneId zone, BestTime.Rates rates, Map<Channel, ChannelAnswer> channels) {}

  private final Pool pool;
  private final WorklistRepository repo;
  private final CommunicationRepository facts;
  private final PortfolioPattern portfolio;

  WorklistService(Pool pool, WorklistRepository repo, CommunicationRepository facts, PortfolioPattern portfolio) {
    this.pool = pool;
    this.repo = repo;
    this.facts = facts;
    this.portfolio = portfolio;
  }

  /** A page of the worklist ({@code blocked} false) or of the blocked list, after {@code after}. */
  Future<Page> page(Channel channel, boolean blocked, Instant at, Key after, int limit) {
    List<Entry> found = new ArrayList<>(limit + 1);
    return collect(channel, blocked, at, after, limit, found, 0).compose(next -> {
      List<Entry> items = found.size() > limit ? found.subList(0, limit) : found;
      if (blocked || items.isEmpty()) {
        return Future.succeededFuture(new Page(List.copyOf(items), next));
      }
      return withBestHours(channel, at, items).map(rows -> new Page(rows, next));
    });
  }

  /**
   * Fills {@code found} up to {@code limit + 1} rows, one batch at a time; answers the cursor of the next page
   * (null when the candidates are exhausted).
   */
  private Future<Key> collect(Channel channel, boolean blocked, Instant at, Key after, int limit, List<Entry> found,
                              int examined) {
    int want = limit + 1 - found.size();
    // Blocked rows are the rarer ones in the daytime: ask for more candidates per row.
    int batch = Math.min(MAX_EXAMINED - examined, Math.max(MIN_BATCH, Math.min(MAX_BATCH, want * (blocked ? 8 : 2))));
    return repo.ranked(pool, channel, !blocked, after, batch).compose(candidates -> {
      List<UUID> ids = candidates.stream().map(Candidate::id).toList();
      return facts.facts(pool, ids, at).compose(byId -> {
        Key last = after;
        for (Candidate c : candidates) {
          last = new Key(c.rank(), c.id());
          ContactFacts f = byId.get(c.id());
          if (f == null) {
            continue; // deleted between the two queries (debtors never are; kept for safety)
          }
          Entry e = decide(c, channel, at, f);
          if ((e.blockedBy() != null) == blocked) {
            found.add(e);
            if (found.size() > limit) {
              Entry lastShown = found.get(limit - 1);
              return Future.succeededFuture(new Key(lastShown.debtor().rank(), lastShown.debtor().id()));
            }
          }
        }
        int seen = examined + candidates.size();
        if (candidates.size() < batch) {
          return Future.succeededFuture(null);
        }
        if (seen >= MAX_EXAMINED) {
          return Future.succeededFuture(last);
        }
        return collect(channel, blocked, at, last, limit, found, seen);
      });
    });
  }

  /** The gate's decision, and what blocks the debtor (the gate's rule, or a missing address), if anything. */
  private static Entry decide(Candidate c, Channel channel, Instant at, ContactFacts f) {
    Decision d = Compliance.check(f, channel, at);
    String blockedBy = null;
    if (!d.allowed()) {
      blockedBy = d.rule();
    } else if (!c.hasAddress(channel)) {
      blockedBy = channel == Channel.EMAIL ? WorklistRoutes.NO_EMAIL : WorklistRoutes.NO_PHONE;
    } else if (!DebtorStatus.ACTIVE.equals(c.status()) && !DebtorStatus.PAYMENT_PLAN.equals(c.status())) {
      blockedBy = c.status(); // not reachable: the gate refuses cease and dispute, resolved and closed are not ranked
    }
    return new Entry(c, Zones.reference(c.timezone(), c.state()), f, d, blockedBy, null);
  }

  /** Adds each row's best hour in the rest of its local day (one query for the page, the pattern cached). */
  private Future<List<Entry>> withBestHours(Channel channel, Instant at, List<Entry> items) {
    List<UUID> ids = items.stream().map(e -> e.debtor().id()).toList();
    Future<Map<UUID, List<Instant>>> events = repo.events(pool, ids, at.minus(Duration.ofDays(BestTime.WINDOW_DAYS)), at);
    Future<BestTime.Portfolio> pattern = portfolio.get();
    return Future.all(events, pattern).map(v -> {
      List<Entry> out = new ArrayList<>(items.size());
      for (Entry e : items) {
        BestTime.Rates rates = new BestTime.Rates(
            BestTime.histogram(events.result().getOrDefault(e.debtor().id(), List.of()), e.zone()), pattern.result());
        BestTime.Slot best = BestTime.best(rates, e.zone(), at, BestTime.endOfDay(at, e.zone()),
            t -> Compliance.check(e.facts(), channel, t).allowed());
        out.add(new Entry(e.debtor(), e.zone(), e.facts(), e.decision(), e.blockedBy(), best));
      }
      return List.copyOf(out);
    });
  }

  /** For each channel: allowed now, the next instant allowed, the best hour of the next 7 days. 404 if unknown. */
  Future<NextContact> nextContact(UUID debtorId, Instant at) {
    return repo.debtor(pool, debtorId).compose(row -> {
      if (row == null) {
        return Future.failedFuture(Problem.notFound("No debtor " + debtorId));
      }
      ZoneId zone = Zones.reference(row.getString("timezone"), row.getString("state"));
      Future<Map<UUID, ContactFacts>> gateFacts = facts.facts(pool, List.of(debtorId), at);
      Future<Map<UUID, List<Instant>>> events = repo.events(pool, List.of(debtorId),
          at.minus(Duration.ofDays(BestTime.WINDOW_DAYS)), at);
      Future<BestTime.Portfolio> pattern = portfolio.get();
      return Future.all(gateFacts, events, pattern).map(v -> {
        ContactFacts f = gateFacts.result().get(debtorId);
        BestTime.Rates rates = new BestTime.Rates(
            BestTime.histogram(events.result().getOrDefault(debtorId, List.of()), zone), pattern.result());
        Map<Channel, ChannelAnswer> channels = new EnumMap<>(Channel.class);
        for (Channel c : Channel.values()) {
          Decision now = Compliance.check(f, c, at);
          Instant next = now.allowed() ? at : now.nextAllowedAt();
          BestTime.Slot best = BestTime.best(rates, zone, at, at.plus(AHEAD), t -> Compliance.check(f, c, t).allowed());
          channels.put(c, new ChannelAnswer(now, next, best));
        }
        return new NextContact(debtorId, zone, rates, channels);
      });
    });
  }
}
