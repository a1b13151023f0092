package dev.beacon.debtors;

import dev.beacon.core.Tokens;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A synthetic portfolio for first runs ({@code --demo}): 1,000 debtors across states and statuses with 90 days of
 * communications, email opens and clicks (human and machine), page views and payments, seeded once (recorded in
 * {@code beacon_meta}) in one transaction, with set-based SQL ({@link DemoDataRepository}).
 */
public final class DemoData {
  private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);
  public static final int DEBTORS = 1000;

  private DemoData() {}

  /** Seeds the demo portfolio unless it was seeded before; answers how many debtors it created. */
  public static Future<Integer> seedOnce(Pool pool) {
    String[] tokens = new String[DEBTORS];
    for (int i = 0; i < DEBTORS; i++) {
      tokens[i] = Tokens.newToken();
    }
    return pool.withTransaction(conn -> DemoDataRepository.claim(conn).compose(claimed -> {
      if (!claimed) {
        LOG.info("Demo data was seeded before; leaving it as it is");
        return Future.succeededFuture(0);
      }
      return DemoDataRepository.seed(conn, tokens).map(v -> {
        LOG.info("Seeded the demo portfolio: {} debtors with 90 days of history", DEBTORS);
        return DEBTORS;
      });
    }));
  }
}
