package dev.beacon.tracking;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What one writer has seen committed, so that a batch whose human events would change nothing but the event
 * tables can skip the updates of communications and debtors (the bulk of the statement's cost after the
 * inserts). Both facts only ever move forward in the database, so a remembered value is a safe lower bound:
 * a message's {@code email_opened}/{@code email_clicked} are never cleared (the append-only trigger refuses
 * it), and a debtor's {@code last_response_date} never moves back. Keyed by token (tokens never change or move
 * to another debtor) and communication id; each map keeps its {@link #MAX_ENTRIES} most recently used entries.
 * Used on the writer's event loop only.
 */
final class Settled {
  static final int MAX_ENTRIES = 50_000;

  /** last_response_date is kept to this granularity (see EventSql). */
  private final Duration granularity;
  private final Map<String, OffsetDateTime> respondedAt = lru();
  /** Tokens resolved to their debtor by a committed statement (debtors are never deleted, tokens never change). */
  private final Map<String, UUID> debtorIds = lru();
  /** Messages known opened; the value says whether known clicked too. */
  private final Map<UUID, Boolean> opened = lru();

  Settled(Duration granularity) {
    this.granularity = granularity;
  }

  /** True when writing this event can change neither its message's flags nor its debtor's last response. */
  boolean covers(EventSql.EmailEvent e) {
    if (e.verdict().label() != Classifier.Label.HUMAN) {
      return true;
    }
    if (!responseCovers(e.debtor(), e.at())) {
      return false;
    }
    if (e.communicationId() == null) {
      return true;
    }
    Boolean clicked = opened.get(e.communicationId());
    return clicked != null && (clicked || e.kind() == Classifier.Kind.OPEN);
  }

  boolean covers(EventSql.NewView v) {
    return responseCovers(v.debtor(), v.at());
  }

  private boolean responseCovers(String token, OffsetDateTime at) {
    OffsetDateTime known = respondedAt.get(token);
    // The statement updates only when last_response_date < at - granularity.
    return known != null && !known.isBefore(at.minus(granularity));
  }

  /** The debtor of each token, or null when one of them is not known. */
  List<UUID> debtorIds(List<String> tokens) {
    List<UUID> ids = new ArrayList<>(tokens.size());
    for (String token : tokens) {
      UUID id = debtorIds.get(token);
      if (id == null) {
        return null;
      }
      ids.add(id);
    }
    return ids;
  }

  void resolved(String token, UUID debtorId) {
    debtorIds.put(token, debtorId);
  }

  void responded(String token, OffsetDateTime lastResponse) {
    if (lastResponse != null) {
      respondedAt.merge(token, lastResponse, (a, b) -> a.isAfter(b) ? a : b);
    }
  }

  void opened(UUID communicationId, boolean clicked) {
    opened.merge(communicationId, clicked, Boolean::logicalOr);
  }

  int size() {
    return respondedAt.size() + opened.size() + debtorIds.size();
  }

  private static <K, V> Map<K, V> lru() {
    return new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > MAX_ENTRIES;
      }
    };
  }
}
