package dev.beacon.payments;

import dev.beacon.Deps;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Runs {@link PlanJob} every {@code payments.planJobInterval}. The next run is scheduled when the previous one
 * ends, so runs never overlap. Without Stripe configuration it does nothing.
 */
public final class PlanVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PlanVerticle.class);
  private static final long MIN_INTERVAL_MS = 1000;

  private final Deps deps;
  private StripeGateway stripe;
  private PlanJob job;
  private long timer = -1;
  private boolean stopped;

  public PlanVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    var config = deps.config().payments();
    if (!config.configured()) {
      LOG.info("Payment plans are off: payments are not configured");
      return Future.succeededFuture();
    }
    stripe = new StripeGateway(vertx, config);
    job = new PlanJob(deps.pool(), stripe, new Ledger(config.planRetrySchedule()));
    schedule();
    return Future.succeededFuture();
  }

  private void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(Math.max(MIN_INTERVAL_MS, deps.config().payments().planJobInterval().toMillis()),
          id -> run());
    }
  }

  private void run() {
    job.runOnce(OffsetDateTime.now(ZoneOffset.UTC))
        .onSuccess(r -> {
          if (r.charged() + r.failed() + r.deferred() + r.paidOff() > 0) {
            LOG.info("Plan installments: {} charged, {} failed, {} deferred; {} plans paid off outside the plan",
                r.charged(), r.failed(), r.deferred(), r.paidOff());
          }
        })
        .onFailure(t -> LOG.warn("Plan job run failed: {}", t.toString()))
        .onComplete(x -> schedule());
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (stripe != null) {
      stripe.close();
    }
    return Future.succeededFuture();
  }
}
