package dev.beacon.delivery;

import dev.beacon.http.Problem;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SendGrid's signature check against the example SendGrid publishes with its own libraries' tests. */
class SendGridEventsTest {
  /** The verification key, signature, timestamp and payload of SendGrid's EventWebhook test fixture. */
  static final String PUBLIC_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
  static final String SIGNATURE = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
  static final String TIMESTAMP = "1600112502";
  static final String PAYLOAD = "[{\"email\":\"hello@world.com\",\"event\":\"dropped\",\"reason\":\"Bounced Address\","
      + "\"sg_event_id\":\"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA\","
      + "\"sg_message_id\":\"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0\","
      + "\"smtp-id\":\"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>\",\"timestamp\":1600112492}]\r\n";
  static final Instant SIGNED_AT = Instant.ofEpochSecond(1600112502);

  @Test
  @DisplayName("SendGrid's published example verifies and parses into one dropped event")
  void publishedExample_verifies() {
    Parsed p = new SendGridEvents(PUBLIC_KEY).verify(SIGNATURE, TIMESTAMP, PAYLOAD, SIGNED_AT.plusSeconds(30));
    assertThat(p.events()).hasSize(1);
    DeliveryEvent e = p.events().get(0);
    assertThat(e.kind()).isEqualTo(DeliveryEvent.FAILED);
    assertThat(e.eventId()).isEqualTo("ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA");
    assertThat(e.messageId()).isEqualTo("LRzXl_NHStOGhQ4kofSm_A");
    assertThat(e.recipient()).isEqualTo("hello@world.com");
    assertThat(e.occurredAt()).isEqualTo(Instant.ofEpochSecond(1600112492));
  }

  @Test
  @DisplayName("the published example tampered, with another timestamp, or stale is refused with 401")
  void publishedExample_tamperedOrStale_refused() {
    SendGridEvents sg = new SendGridEvents(PUBLIC_KEY);
    assertThatThrownBy(() -> sg.verify(SIGNATURE, TIMESTAMP, PAYLOAD.replace("dropped", "delivered"), SIGNED_AT))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(401));
    assertThatThrownBy(() -> sg.verify(SIGNATURE, "1600112503", PAYLOAD, SIGNED_AT))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(401));
    assertThatThrownBy(() -> sg.verify(SIGNATURE, TIMESTAMP, PAYLOAD, Instant.now()))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.getMessage()).contains("window"));
    assertThatThrownBy(() -> sg.verify("not base64!", TIMESTAMP, PAYLOAD, SIGNED_AT))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(401));
  }
}
