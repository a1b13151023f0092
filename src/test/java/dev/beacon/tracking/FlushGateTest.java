package dev.beacon.tracking;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FlushGateTest {
  final List<String> granted = new ArrayList<>();

  final FlushGate.Waiter a = waiter("a");
  final FlushGate.Waiter b = waiter("b");
  final FlushGate.Waiter c = waiter("c");

  FlushGate.Waiter waiter(String name) {
    return () -> granted.add(name);
  }

  /** What {@code gate.acquire} answers for each waiter, asked in order. */
  static List<Boolean> acquire(FlushGate gate, FlushGate.Waiter... waiters) {
    List<Boolean> answers = new ArrayList<>();
    for (FlushGate.Waiter w : waiters) {
      answers.add(gate.acquire(w));
    }
    return answers;
  }

  @Test
  void slotsAreHandedToWaitersInArrivalOrder_thenGoBackToThePool() {
    FlushGate gate = new FlushGate(2, 0);
    assertThat(acquire(gate, a, b, c, a)).containsExactly(true, true, false, false);
    assertThat(granted).isEmpty();

    gate.release();
    assertThat(granted).containsExactly("c");
    gate.release();
    assertThat(granted).containsExactly("c", "a");
    gate.release();
    gate.release();
    assertThat(acquire(gate, b, c, a)).containsExactly(true, true, false);
  }

  @Test
  void aWithdrawnWaiter_isNeverHandedASlot() {
    FlushGate gate = new FlushGate(1, 0);
    assertThat(acquire(gate, a, b)).containsExactly(true, false);
    assertThat(gate.withdraw(b)).isTrue();
    assertThat(gate.withdraw(b)).isFalse();
    gate.release();
    assertThat(granted).isEmpty();
    assertThat(gate.acquire(b)).isTrue();
  }

  @Test
  void resize_handsAddedSlotsToTheWaiters_andCountsHeldSlotsAgainstFewer() {
    FlushGate gate = new FlushGate(1, 0);
    assertThat(acquire(gate, a, b, c)).containsExactly(true, false, false);
    gate.resize(2);
    assertThat(granted).containsExactly("b");
    // Three held now, one allowed: two releases only pay back what the resize took.
    gate.resize(1);
    gate.release();
    gate.release();
    assertThat(granted).containsExactly("b", "c");
    assertThat(gate.acquire(a)).isFalse();
    gate.release();
    assertThat(granted).containsExactly("b", "c", "a");
  }

  @Test
  void hedge_lendsAsManySparesAsSlots_onlyToWaitersStillInLine() {
    FlushGate gate = new FlushGate(1, 2);
    assertThat(gate.hedgeMillis()).isEqualTo(2);
    assertThat(acquire(gate, a, b, c)).containsExactly(true, false, false);
    assertThat(gate.hedge(a)).as("a holds a slot, it is not in line").isFalse();
    assertThat(gate.hedge(b)).isTrue();
    assertThat(gate.hedge(c)).as("the one spare is lent").isFalse();
    assertThat(gate.hedge(b)).as("b left the line").isFalse();

    // The slot a gives back goes to c, still in line, never to b, which runs on the spare.
    gate.release();
    assertThat(granted).containsExactly("c");
    gate.returnSpare();
    assertThat(acquire(gate, b)).containsExactly(false);
    assertThat(gate.hedge(b)).as("the spare is free again").isTrue();
    gate.returnSpare();
    gate.release();
    assertThat(granted).containsExactly("c");
    assertThat(gate.acquire(a)).isTrue();
  }
}
