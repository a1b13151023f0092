package dev.beacon.scoring;

import io.vertx.core.Future;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/** Walks debtor ids chunk by chunk (keyset over id), one chunk in flight at a time: memory stays bounded. */
final class DebtorIdWalk {
  private DebtorIdWalk() {}

  /**
   * Calls {@code each} with every chunk of ids that {@code query} selects and answers the number of ids seen.
   * {@code each} answers false to stop early.
   */
  static Future<Long> forEach(ScoringRepository repo, String query, OffsetDateTime at, int size,
                              Function<List<UUID>, Future<Boolean>> each) {
    return next(repo, query, at, size, ScoringRepository.FIRST, 0, each);
  }

  private static Future<Long> next(ScoringRepository repo, String query, OffsetDateTime at, int size, UUID after,
                                   long seen, Function<List<UUID>, Future<Boolean>> each) {
    return repo.ids(query, after, size, at).compose(ids -> {
      if (ids.isEmpty()) {
        return Future.succeededFuture(seen);
      }
      return each.apply(ids).compose(more -> more && ids.size() == size
          ? next(repo, query, at, size, ids.get(ids.size() - 1), seen + ids.size(), each)
          : Future.succeededFuture(seen + ids.size()));
    });
  }
}
