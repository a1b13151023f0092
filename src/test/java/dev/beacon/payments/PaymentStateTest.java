package dev.beacon.payments;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PaymentStateTest {
  private static final BigDecimal HUNDRED = new BigDecimal("100.00");

  /** How far amount_paid must move to match this state (what the ledger moves it by). */
  private static BigDecimal creditDelta(PaymentState s) {
    return s.targetCredit().subtract(s.credited());
  }

  private static PaymentState pending() {
    return new PaymentState(PaymentStatus.PENDING, HUNDRED, BigDecimal.ZERO, BigDecimal.ZERO);
  }

  @Test
  @DisplayName("completing credits the amount once; completing again moves nothing")
  void complete_creditsOnce() {
    PaymentState done = pending().complete();
    assertThat(creditDelta(done)).isEqualByComparingTo("100.00");
    PaymentState credited = done.credit();
    assertThat(creditDelta(credited.complete())).isEqualByComparingTo("0");
  }

  @Test
  @DisplayName("a completion after a full refund neither changes the status nor credits again")
  void completeAfterRefund_noEffect() {
    PaymentState refunded = pending().refund(HUNDRED).credit();
    assertThat(refunded.status()).isEqualTo(PaymentStatus.REFUNDED);
    assertThat(refunded.credited()).isEqualByComparingTo("0");
    PaymentState late = refunded.complete();
    assertThat(late.status()).isEqualTo(PaymentStatus.REFUNDED);
    assertThat(creditDelta(late)).isEqualByComparingTo("0");
  }

  @Test
  @DisplayName("partial refunds are cumulative and never shrink")
  void partialRefunds_monotonic() {
    PaymentState s = pending().complete().credit().refund(new BigDecimal("30.00"));
    assertThat(s.status()).isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);
    assertThat(creditDelta(s)).isEqualByComparingTo("-30.00");
    s = s.credit().refund(new BigDecimal("10.00"));
    assertThat(s.refunded()).isEqualByComparingTo("30.00");
    assertThat(creditDelta(s)).isEqualByComparingTo("0");
  }

  @Test
  @DisplayName("failure and expiry only end a pending payment; a completion overrides a failed checkout attempt")
  void failAndExpire_onlyFromPending() {
    PaymentState done = pending().complete().credit();
    assertThat(done.fail().status()).isEqualTo(PaymentStatus.COMPLETED);
    assertThat(done.expire().status()).isEqualTo(PaymentStatus.COMPLETED);
    assertThat(pending().fail().complete().status()).isEqualTo(PaymentStatus.COMPLETED);
  }

  @Test
  @DisplayName("a dispute keeps the payment credited")
  void dispute_keepsCredit() {
    PaymentState s = pending().complete().credit().dispute();
    assertThat(s.status()).isEqualTo(PaymentStatus.DISPUTED);
    assertThat(creditDelta(s)).isEqualByComparingTo("0");
  }

  @Test
  @DisplayName("a lost dispute takes the disputed amount back like a refund; a won one restores the status, not the money")
  void disputeDecisions() {
    PaymentState disputed = pending().complete().credit().refund(new BigDecimal("20.00")).credit().dispute();
    PaymentState lost = disputed.disputeLost(new BigDecimal("50.00"));
    assertThat(lost.status()).isEqualTo(PaymentStatus.DISPUTED);
    assertThat(lost.refunded()).isEqualByComparingTo("70.00");
    assertThat(creditDelta(lost)).isEqualByComparingTo("-50.00");
    assertThat(pending().complete().credit().disputeLost(new BigDecimal("150.00")).targetCredit()).isEqualByComparingTo("0");
    PaymentState won = disputed.disputeWon();
    assertThat(won.status()).isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);
    assertThat(creditDelta(won)).isEqualByComparingTo("0");
    assertThat(pending().complete().disputeWon().status()).isEqualTo(PaymentStatus.COMPLETED);
  }

  @Test
  void lostDisputeAndRefunds_addUp_inEitherOrder() {
    BigDecimal refunds = new BigDecimal("25.00");
    BigDecimal lost = new BigDecimal("10.00");
    PaymentState paid = pending().complete().credit();
    PaymentState refundFirst = paid.refund(refunds).credit().disputeLost(lost).credit();
    PaymentState disputeFirst = paid.disputeLost(lost).credit().refund(refunds).credit();
    for (PaymentState s : List.of(refundFirst, disputeFirst)) {
      assertThat(s.refunded()).isEqualByComparingTo("35.00");
      assertThat(s.disputeLost()).isEqualByComparingTo("10.00");
      assertThat(s.targetCredit()).isEqualByComparingTo("65.00");
      assertThat(s.status()).isEqualTo(PaymentStatus.DISPUTED);
    }
    // Late or repeated reports change nothing: a smaller cumulative refund, the same decision again.
    assertThat(disputeFirst.refund(new BigDecimal("5.00")).refunded()).isEqualByComparingTo("35.00");
    assertThat(disputeFirst.disputeLost(lost).refunded()).isEqualByComparingTo("35.00");
    // A further refund adds only its own increase.
    assertThat(disputeFirst.refund(new BigDecimal("40.00")).refunded()).isEqualByComparingTo("50.00");
  }
}
