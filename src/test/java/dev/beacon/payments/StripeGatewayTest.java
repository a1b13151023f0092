package dev.beacon.payments;

import com.stripe.exception.InvalidRequestException;
import com.stripe.model.StripeError;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class StripeGatewayTest {
  /** Stripe's answer to a customer_email it does not accept quotes the address. */
  private static InvalidRequestException invalidEmail() {
    var e = new InvalidRequestException("Invalid email address: ann.lee@example", "customer_email", "req_8Xy",
        "email_invalid", 400, null);
    StripeError error = new StripeError();
    error.setMessage("Invalid email address: ann.lee@example");
    error.setCode("email_invalid");
    e.setStripeError(error);
    return e;
  }

  @Test
  void loggable_namesKindCodeStatusAndRequest_neverStripesMessage() {
    String line = StripeGateway.loggable(invalidEmail());
    assertThat(line).doesNotContain("ann.lee").doesNotContain("Invalid email address")
        .isEqualTo("stripe: InvalidRequestException (email_invalid), status 400, request req_8Xy");
    assertThat(StripeGateway.loggable(new TimeoutException())).isEqualTo("stripe: no answer within the timeout");
  }

  @Test
  void reason_keptForAgents_stillCarriesStripesMessage() {
    assertThat(StripeGateway.reason(invalidEmail())).isEqualTo("stripe: Invalid email address: ann.lee@example (email_invalid)");
  }
}
