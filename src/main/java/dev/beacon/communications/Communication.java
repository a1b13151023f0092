package dev.beacon.communications;

import dev.beacon.core.Tokens;
import dev.beacon.http.Times;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One row of the {@code communications} audit trail.
 *
 * @param html           the HTML part of an instrumented email as sent, null otherwise
 * @param deliveryStatus what the sending provider reported (accepted, delivered, deferred, soft_bounced, bounced,
 *                       complained, failed), null when it reported nothing (or for a row just recorded)
 */
public record Communication(UUID id, UUID debtorId, String type, String direction, String subject, String content,
                            Integer callDuration, String callOutcome, boolean emailOpened, boolean emailClicked,
                            OffsetDateTime at, boolean aiGenerated, boolean complianceChecked, String ruleSet,
                            boolean requiresFollowup, OffsetDateTime followupDate, OffsetDateTime createdAt,
                            String html, String deliveryStatus) {

  public static Communication from(Row r) {
    return new Communication(r.getUUID("id"), r.getUUID("debtor_id"), r.getString("type"), r.getString("direction"),
        r.getString("subject"), r.getString("content"), r.getInteger("call_duration"), r.getString("call_outcome"),
        r.getBoolean("email_opened"), r.getBoolean("email_clicked"), r.getOffsetDateTime("timestamp"),
        r.getBoolean("ai_generated"), r.getBoolean("compliance_checked"), r.getString("compliance_rule_set"),
        r.getBoolean("requires_followup"), r.getOffsetDateTime("followup_date"), r.getOffsetDateTime("created_at"),
        r.getString("content_html"),
        r.getColumnIndex("delivery_status") >= 0 ? r.getString("delivery_status") : null);
  }

  /** False when the provider reported the message bounced or failed (12 CFR 1006.42: not delivered), true when
   * it reported a delivery, null when it reported neither. */
  public Boolean delivered() {
    if (deliveryStatus == null) {
      return null;
    }
    return switch (deliveryStatus) {
      case "bounced", "failed" -> false;
      case "delivered", "complained" -> true;
      default -> null;
    };
  }

  /** This row with {@code token} replaced by {@code {token}} in its subject and content (for viewers). */
  public Communication maskingToken(String token) {
    return new Communication(id, debtorId, type, direction, Tokens.mask(subject, token), Tokens.mask(content, token), callDuration,
        callOutcome, emailOpened, emailClicked, at, aiGenerated, complianceChecked, ruleSet, requiresFollowup,
        followupDate, createdAt, Tokens.mask(html, token), deliveryStatus);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject()
        .put("id", id.toString())
        .put("debtorId", debtorId.toString())
        .put("type", type)
        .put("direction", direction)
        .put("subject", subject)
        .put("content", content)
        .put("callDuration", callDuration)
        .put("callOutcome", callOutcome)
        .put("emailOpened", emailOpened)
        .put("emailClicked", emailClicked)
        .put("at", Times.format(at))
        .put("aiGenerated", aiGenerated)
        .put("complianceChecked", complianceChecked)
        .put("ruleSet", ruleSet)
        .put("requiresFollowup", requiresFollowup)
        .put("followupDate", Times.format(followupDate))
        .put("createdAt", Times.format(createdAt))
        .put("deliveryStatus", deliveryStatus)
        .put("delivered", delivered());
    return html == null ? j : j.put("html", html);
  }
}
