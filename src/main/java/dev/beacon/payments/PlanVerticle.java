package dev.beacon.payments;

import dev.beacon.config.BeaconConfig;
import dev.beacon.jobs.PeriodicJob;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Runs {@link PlanJob} every {@code payments.planJobInterval} (at least a second), an interval after the previous
 * run ended. Without Stripe configuration it does nothing.
 */
public final class PlanVerticle extends PeriodicJob<PlanJob.Run> {
  private static final Logger LOG = LoggerFactory.getLogger(PlanVerticle.class);
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  private final Pool pool;
  private final BeaconConfig.Payments config;
  private StripeGateway stripe;
  private PlanJob job;

  public PlanVerticle(Pool pool, BeaconConfig.Payments config) {
    super("Plan job", interval(config), interval(config));
    this.pool = pool;
    this.config = config;
  }

  private static Duration interval(BeaconConfig.Payments config) {
    Duration configured = config.planJobInterval();
    return configured.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : configured;
  }

  @Override
  protected boolean prepare() {
    if (!config.configured()) {
      LOG.info("Payment plans are off: payments are not configured");
      return false;
    }
    stripe = new StripeGateway(vertx, config);
    job = new PlanJob(pool, stripe, new Ledger(config.planRetrySchedule()));
    return true;
  }

  @Override
  protected Future<PlanJob.Run> runOnce() {
    return job.runOnce(OffsetDateTime.now(ZoneOffset.UTC));
  }

  @Override
  protected void ran(PlanJob.Run r) {
    if (r.charged() + r.failed() + r.deferred() + r.paidOff() > 0) {
      LOG.info("Plan installments: {} charged, {} failed, {} deferred; {} plans paid off outside the plan",
          r.charged(), r.failed(), r.deferred(), r.paidOff());
    }
  }

  @Override
  protected void release() {
    if (stripe != null) {
      stripe.close();
    }
  }
}
