package dev.beacon.sending;

import dev.beacon.config.BeaconConfig;
import dev.beacon.tracking.ShortCodes;
import dev.beacon.tracking.TrackingRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.sqlclient.SqlClient;

import java.util.UUID;

/**
 * Instruments messages off the event loop (parsing a large HTML email is CPU work of milliseconds) and binds an
 * SMS's short links in the transaction that records it.
 */
public final class Sending {
  /** Named pool for parsing HTML; shared by every HTTP verticle instance. */
  static final String POOL = "sending";
  private static final int POOL_SIZE = 2;

  private final WorkerExecutor workers;
  private final Instrumenter instrumenter;

  public Sending(Vertx vertx, BeaconConfig config) {
    this.workers = vertx.createSharedWorkerExecutor(POOL, POOL_SIZE);
    this.instrumenter = new Instrumenter(TrackingRoutes.linkSigner(config.tracking()),
        config.payments().currency(), config.sending().unsubscribeMailto(), ShortCodes::newCode);
  }

  public Future<Instrumented> instrument(Instrumenter.Message m, Instrumenter.Recipient to, String base, UUID id) {
    return workers.executeBlocking(() -> instrumenter.instrument(m, to, base, id), false);
  }

  /** Stores the short links of an instrumented SMS (nothing for an email). */
  public Future<Void> bind(SqlClient sql, UUID debtorId, UUID communicationId, Instrumented out) {
    if (out.shortLinks().isEmpty()) {
      return Future.succeededFuture();
    }
    String[] codes = out.shortLinks().stream().map(Instrumented.ShortLink::code).toArray(String[]::new);
    String[] targets = out.shortLinks().stream().map(Instrumented.ShortLink::target).toArray(String[]::new);
    return SendingRepository.insertShortLinks(sql, debtorId, communicationId, codes, targets);
  }
}
