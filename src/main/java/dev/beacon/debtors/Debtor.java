package dev.beacon.debtors;

import dev.beacon.core.Money;
import dev.beacon.http.Times;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.UUID;

/** One row of {@code debtors}. */
public record Debtor(
    UUID id, String firstName, String lastName, String email, String phone,
    String addressLine1, String addressLine2, String city, String state, String zipCode, String timezone,
    String uniqueToken, BigDecimal totalOwed, BigDecimal amountPaid, String status,
    boolean phoneConsent, boolean emailConsent, boolean dncRegistered,
    OffsetDateTime lastContactDate, OffsetDateTime lastResponseDate, int totalContacts, int paymentPropensityScore,
    OffsetDateTime createdAt, OffsetDateTime updatedAt) {

  public static Debtor from(Row r) {
    return new Debtor(
        r.getUUID("id"), r.getString("first_name"), r.getString("last_name"), r.getString("email"),
        r.getString("phone"), r.getString("address_line1"), r.getString("address_line2"), r.getString("city"),
        r.getString("state"), r.getString("zip_code"), r.getString("timezone"), r.getString("unique_token"),
        r.getBigDecimal("total_owed"), r.getBigDecimal("amount_paid"), r.getString("status"),
        r.getBoolean("phone_consent"), r.getBoolean("email_consent"), r.getBoolean("dnc_registered"),
        r.getOffsetDateTime("last_contact_date"), r.getOffsetDateTime("last_response_date"),
        r.getInteger("total_contacts"), r.getInteger("payment_propensity_score"),
        r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
  }

  public BigDecimal balance() {
    return totalOwed.subtract(amountPaid).max(BigDecimal.ZERO);
  }

  /** The zone used for this debtor: the one recorded, else the main zone of their state. */
  public ZoneId effectiveZone() {
    if (timezone != null) {
      return ZoneId.of(timezone);
    }
    return UsStates.primaryZone(state).orElse(null);
  }

  /** The API representation; {@code baseUrl} is Beacon's public URL for the debtor's page links. */
  public JsonObject toJson(String baseUrl) {
    ZoneId zone = effectiveZone();
    return new JsonObject()
        .put("id", id.toString())
        .put("firstName", firstName)
        .put("lastName", lastName)
        .put("email", email)
        .put("phone", phone)
        .put("addressLine1", addressLine1)
        .put("addressLine2", addressLine2)
        .put("city", city)
        .put("state", state)
        .put("zipCode", zipCode)
        .put("timezone", zone == null ? null : zone.getId())
        .put("timezoneDerived", timezone == null && zone != null)
        .put("uniqueToken", uniqueToken)
        .put("totalOwed", Money.format(totalOwed))
        .put("amountPaid", Money.format(amountPaid))
        .put("balance", Money.format(balance()))
        .put("status", status)
        .put("phoneConsent", phoneConsent)
        .put("emailConsent", emailConsent)
        .put("dncRegistered", dncRegistered)
        .put("lastContactDate", Times.format(lastContactDate))
        .put("lastResponseDate", Times.format(lastResponseDate))
        .put("totalContacts", totalContacts)
        .put("paymentPropensityScore", paymentPropensityScore)
        .put("createdAt", Times.format(createdAt))
        .put("updatedAt", Times.format(updatedAt))
        .put("links", new JsonObject()
            .put("landing", baseUrl + "/p/" + uniqueToken)
            .put("payment", baseUrl + "/p/" + uniqueToken + "/pay"));
  }
}
