package dev.beacon.http;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one HTTP verticle instance stops after its server has shut down (requests in flight finished), in the
 * order registered: features that keep per-instance state behind their routes (the tracking writer's queue)
 * register here while the composition root mounts them. Used on the instance's event loop only.
 */
public final class StopActions {
  private final List<Supplier<Future<?>>> actions = new ArrayList<>();

  /** {@code action} runs once, when the instance stops. */
  public void add(Supplier<Future<?>> action) {
    actions.add(action);
  }

  /** Runs every action, one after the other; completes when the last has (failures do not stop the others). */
  Future<Void> run() {
    Future<Void> f = Future.succeededFuture();
    for (Supplier<Future<?>> a : actions) {
      f = f.transform(ar -> a.get().<Void>mapEmpty().otherwiseEmpty());
    }
    return f;
  }
}
