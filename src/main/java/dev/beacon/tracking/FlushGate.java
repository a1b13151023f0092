package dev.beacon.tracking;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * How many tracking writer statements the process runs at once ({@code tracking.flushSlots}), shared by the
 * writers of every HTTP verticle instance. A writer holds a slot from the start of a flush to its commit; a
 * writer that finds none free waits in line and is handed the next slot released. Its queue keeps filling
 * meanwhile, so with fewer statements in flight each one carries more events: on this 2-core machine a
 * writer statement cost about 650 µs of PostgreSQL CPU plus 16 µs per event (commit included), so the batch
 * size, not the number of parallel statements, decides how many events a core of PostgreSQL can write.
 *
 * <p>A writer that has waited in line for {@code tracking.flushHedge} may instead {@link #hedge} on one of as
 * many spare slots as there are slots: a statement that takes unusually long to commit (the tail, a few
 * milliseconds when the enricher's WAL shares the disk) then holds up only its own requests, not the next
 * batch's as well, while a writer that waits the usual fraction of a millisecond still joins the line.
 */
final class FlushGate {
  /** Called (on any thread) when a waiting writer is handed a slot. */
  interface Waiter {
    void granted();
  }

  private int slots;
  private volatile long hedgeMillis;
  /** Spare slots lent to writers that waited too long: as many as there are slots. */
  private int sparesInUse;
  /** Slots not held; below zero after {@link #resize} took away slots that were held. */
  private int free;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

  FlushGate(int slots, long hedgeMillis) {
    this.slots = slots;
    this.free = slots;
    this.hedgeMillis = hedgeMillis;
  }

  /** How long a writer waits in line before it asks for a spare slot (ms); 0: never. */
  long hedgeMillis() {
    return hedgeMillis;
  }

  /** Changes the hedge delay (the tracking benchmark compares two settings in one run). */
  void hedgeAfter(long millis) {
    hedgeMillis = millis;
  }

  /**
   * Changes the number of slots (the tracking benchmark compares two settings in one run). Slots held now count
   * against the new number; writers in line get the slots added.
   */
  void resize(int slots) {
    List<Waiter> granted = new ArrayList<>();
    synchronized (this) {
      free += slots - this.slots;
      this.slots = slots;
      while (free > 0 && !waiting.isEmpty()) {
        free--;
        granted.add(waiting.poll());
      }
    }
    granted.forEach(Waiter::granted);
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

  /**
   * Takes {@code w} out of the line and lends it a spare slot, when it is still waiting and a spare is free;
   * it then flushes and gives the spare back with {@link #returnSpare}.
   */
  synchronized boolean hedge(Waiter w) {
    if (sparesInUse >= slots || !waiting.remove(w)) {
      return false;
    }
    sparesInUse++;
    return true;
  }

  /** Gives back a spare slot lent by {@link #hedge}. */
  synchronized void returnSpare() {
    sparesInUse--;
  }

  /** Withdraws a waiting writer (a stopping one); true when it was waiting. */
  synchronized boolean withdraw(Waiter w) {
    return waiting.remove(w);
  }

  /** Gives a held slot to the next writer in line, or back to the pool. */
  void release() {
    Waiter next;
    synchronized (this) {
      next = free < 0 ? null : waiting.poll();
      if (next == null) {
        free++;
        return;
      }
    }
    next.granted();
  }
}
