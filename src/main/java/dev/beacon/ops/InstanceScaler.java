package dev.beacon.ops;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Owns the deployment of the HTTP verticle instances and changes their number at run time without failing a
 * request: the new set is deployed first (instances of one Vert.x listening on the same port share it, so new
 * connections spread over old and new), then the old deployment is undeployed, whose servers stop accepting and
 * finish their requests in flight (HttpVerticle's graceful shutdown). Changes run one after another.
 */
public final class InstanceScaler implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceScaler.class);
  /** The largest number of HTTP verticle instances a PUT may ask for (start-up follows http.instances). */
  public static final int MAX_INSTANCES = 64;
  private static final String MAP = "beacon.ops";
  private static final String KEY = "instances";

  private final Vertx vertx;
  /**
   * The context of the scaler's own {@link Anchor} deployment: HTTP instances are deployed from it, so that each
   * set is a child of the anchor, not of whatever deployment asked for it. Deployed from a request's context (a
   * PUT) they would be children of the set they replace and be undeployed with it.
   */
  private final Context context;
  private final Supplier<? extends Deployable> verticle;
  private String deploymentId;
  private int instances;
  /** The last change (deploy, then undeploy of the old set); the next one starts after it. */
  private Future<?> last = Future.succeededFuture();

  private final String anchorId;

  private InstanceScaler(Vertx vertx, String anchorId, Context context, Supplier<? extends Deployable> verticle) {
    this.vertx = vertx;
    this.anchorId = anchorId;
    this.context = context;
    this.verticle = verticle;
  }

  /** A verticle that does nothing: the parent deployment of every set of HTTP instances, until Vert.x closes. */
  private static final class Anchor extends VerticleBase {
    Context context() {
      return context;
    }
  }

  /**
   * A scaler for this Vert.x instance, reachable from the admin routes through {@link #of(Vertx)}; completes once
   * its anchor is deployed. Call it from outside any deployment's context (start-up), as Beacon does.
   */
  public static Future<InstanceScaler> create(Vertx vertx, Supplier<? extends Deployable> verticle) {
    Anchor anchor = new Anchor();
    return vertx.deployVerticle(anchor).map(id -> {
      InstanceScaler s = new InstanceScaler(vertx, id, anchor.context(), verticle);
      vertx.sharedData().getLocalMap(MAP).put(KEY, s);
      return s;
    });
  }

  /** The scaler of this Vert.x instance; empty where the HTTP verticle was deployed without one (tests). */
  public static Optional<InstanceScaler> of(Vertx vertx) {
    return Optional.ofNullable((InstanceScaler) vertx.sharedData().getLocalMap(MAP).get(KEY));
  }

  public synchronized int instances() {
    return instances;
  }

  /**
   * Deploys {@code n} instances beside the current ones; completes once they listen. The previous set is then
   * undeployed in the background (its graceful shutdown may take up to the grace period, and the request that
   * asked for the change is itself served by it).
   */
  public synchronized Future<Integer> scale(int n) {
    if (n < 1) {
      return Future.failedFuture(new IllegalArgumentException("at least one instance"));
    }
    Future<String> deployed = last.transform(ignored -> deploy(n));
    last = deployed.compose(this::undeploy, t -> Future.succeededFuture());
    return deployed.map(n);
  }

  private Future<String> deploy(int n) {
    Promise<String> deployed = Promise.promise();
    context.runOnContext(v -> vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(n)).onComplete(deployed));
    return deployed.future().map(id -> {
      synchronized (this) {
        String old = deploymentId;
        deploymentId = id;
        int before = instances;
        instances = n;
        if (old != null) {
          LOG.info("HTTP verticle instances: {} -> {}", before, n);
        }
        return old;
      }
    });
  }

  private Future<Void> undeploy(String old) {
    if (old == null) {
      return Future.succeededFuture();
    }
    return vertx.undeploy(old).onFailure(t -> LOG.warn("Undeploying the previous HTTP instances failed: {}",
        t.toString()));
  }

  /** Completes when every change asked for so far has finished, including the undeploy of older sets. */
  public synchronized Future<Void> settled() {
    return last.mapEmpty();
  }

  /** Undeploys the current set (graceful) after pending changes, then the anchor; used when the process stops. */
  public Future<Void> stop() {
    Future<?> pending;
    synchronized (this) {
      pending = last;
    }
    return pending.transform(ignored -> {
      String id;
      synchronized (this) {
        id = deploymentId;
        deploymentId = null;
        instances = 0;
      }
      return (id == null ? Future.<Void>succeededFuture() : vertx.undeploy(id)).compose(v -> vertx.undeploy(anchorId));
    });
  }
}
