package dev.beacon.tracking;

import java.util.ArrayDeque;

/**
 * How many tracking writer statements the process runs at once ({@code tracking.flushSlots}), shared by the
 * writers of every HTTP verticle instance. A writer holds a slot from the start of a flush to its commit; a
 * writer that finds none free waits in line and is handed the next slot released. Its queue keeps filling
 * meanwhile, so with fewer statements in flight each one carries more events: on this 2-core machine a
 * writer statement cost about 650 µs of PostgreSQL CPU plus 16 µs per event (commit included), so the batch
 * size, not the number of parallel statements, decides how many events a core of PostgreSQL can write.
 */
final class FlushGate {
  /** Called (on any thread) when a waiting writer is handed a slot. */
  interface Waiter {
    void granted();
  }

  private int free;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

  FlushGate(int slots) {
    this.free = slots;
  }

  /** True when a slot was free and is now held; otherwise {@code w} is called once one is handed to it. */
  synchronized boolean acquire(Waiter w) {
    if (free > 0) {
      free--;
      return true;
    }
    waiting.add(w);
    return false;
  }

  /** Withdraws a waiting writer (a stopping one); true when it was waiting. */
  synchronized boolean withdraw(Waiter w) {
    return waiting.remove(w);
  }

  /** Gives a held slot to the next writer in line, or back to the pool. */
  void release() {
    Waiter next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        free++;
        return;
      }
    }
    next.granted();
  }
}
