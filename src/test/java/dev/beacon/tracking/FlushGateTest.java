package dev.beacon.tracking;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FlushGateTest {
  final List<String> granted = new ArrayList<>();

  FlushGate.Waiter waiter(String name) {
    return () -> granted.add(name);
  }

  @Test
  void slotsAreHandedToWaitersInArrivalOrder_thenGoBackToThePool() {
    FlushGate gate = new FlushGate(2);
    FlushGate.Waiter a = waiter("a");
    FlushGate.Waiter b = waiter("b");
    FlushGate.Waiter c = waiter("c");
    assertThat(gate.acquire(a)).isTrue();
    assertThat(gate.acquire(b)).isTrue();
    assertThat(gate.acquire(c)).isFalse();
    assertThat(gate.acquire(a)).isFalse();
    assertThat(granted).isEmpty();

    gate.release();
    assertThat(granted).containsExactly("c");
    gate.release();
    assertThat(granted).containsExactly("c", "a");
    gate.release();
    gate.release();
    assertThat(gate.acquire(b)).isTrue();
    assertThat(gate.acquire(c)).isTrue();
    assertThat(gate.acquire(a)).isFalse();
  }

  @Test
  void aWithdrawnWaiter_isNeverHandedASlot() {
    FlushGate gate = new FlushGate(1);
    FlushGate.Waiter a = waiter("a");
    FlushGate.Waiter b = waiter("b");
    assertThat(gate.acquire(a)).isTrue();
    assertThat(gate.acquire(b)).isFalse();
    assertThat(gate.withdraw(b)).isTrue();
    assertThat(gate.withdraw(b)).isFalse();
    gate.release();
    assertThat(granted).isEmpty();
    assertThat(gate.acquire(b)).isTrue();
  }
}
