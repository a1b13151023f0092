package dev.beacon.debtors;

import dev.beacon.http.Problem;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DebtorInputTest {

  private static JsonObject minimal() {
    return new JsonObject().put("firstName", "Ann").put("lastName", "Lee");
  }

  private static Problem invalid(JsonObject json, DebtorInput.Mode mode) {
    try {
      DebtorInput.fromJson(json, mode);
    } catch (Problem p) {
      return p;
    }
    throw new AssertionError("expected a validation problem");
  }

  @Test
  void normalisesValues() {
    DebtorInput in = DebtorInput.fromJson(minimal().put("email", " Ann@EXAMPLE.com ").put("phone", "+1 (512) 555-0100")
        .put("state", "tx").put("totalOwed", 12.5).put("timezone", "America/Chicago"), DebtorInput.Mode.CREATE);
    assertThat(in.get(DebtorField.EMAIL)).isEqualTo("ann@example.com");
    assertThat(in.get(DebtorField.PHONE)).isEqualTo("+15125550100");
    assertThat(in.get(DebtorField.STATE)).isEqualTo("TX");
    assertThat(in.get(DebtorField.TOTAL_OWED)).isEqualTo(new BigDecimal("12.50"));
    assertThat(in.get(DebtorField.TIMEZONE)).isEqualTo("America/Chicago");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "email|ann@|must be an email address",
      "email|a b@c.com|must be an email address",
      "phone|555|phone number",
      "phone|+1-800-FLOWERS|phone number",
      "state|ZZ|state",
      "zipCode|1234|ZIP",
      "zipCode|12345-12|ZIP",
      "totalOwed|1.234|two decimal places",
      "totalOwed|-3|negative",
      "totalOwed|abc|decimal amount",
      "timezone|EST|IANA",
      "timezone|Mars/Base|IANA",
      "status|happy|one of"})
  void refusesBadValues_namingTheField(String field, String value, String message) {
    Problem p = invalid(minimal().put(field, value), DebtorInput.Mode.CREATE);
    assertThat(p.status()).isEqualTo(400);
    assertThat(p.errors()).anySatisfy(e -> {
      assertThat(e.field()).isEqualTo(field);
      assertThat(e.message()).containsIgnoringCase(message);
    });
  }

  @Test
  void create_requiresNames_patchDoesNot() {
    Problem p = invalid(new JsonObject(), DebtorInput.Mode.CREATE);
    assertThat(p.errors()).extracting(Problem.FieldError::field).contains("firstName", "lastName");
    assertThat(DebtorInput.fromJson(new JsonObject().put("city", "Austin"), DebtorInput.Mode.PATCH).values()).hasSize(1);
  }

  @Test
  void wrongTypes_unknownFields_blankAndTooLong_areRefused() {
    Problem p = invalid(new JsonObject().put("firstName", 5).put("lastName", " ").put("city", "x".repeat(101))
        .put("phoneConsent", "yes").put("score", 3), DebtorInput.Mode.CREATE);
    assertThat(p.errors()).extracting(Problem.FieldError::field)
        .containsExactlyInAnyOrder("firstName", "lastName", "city", "phoneConsent", "score");
  }

  @Test
  void nullClearsOptionalFields_butNotRequiredOrFlags() {
    DebtorInput in = DebtorInput.fromJson(new JsonObject().putNull("city"), DebtorInput.Mode.PATCH);
    assertThat(in.has(DebtorField.CITY)).isTrue();
    assertThat(in.get(DebtorField.CITY)).isNull();
    assertThat(invalid(new JsonObject().putNull("lastName"), DebtorInput.Mode.PATCH).errors())
        .extracting(Problem.FieldError::field).containsExactly("lastName");
    assertThat(invalid(new JsonObject().putNull("emailConsent"), DebtorInput.Mode.PATCH).errors())
        .extracting(Problem.FieldError::field).containsExactly("emailConsent");
  }

  @Test
  void csvText_acceptsYesNoFlags_andSkipsEmptyCells() {
    Map<String, String> row = new LinkedHashMap<>();
    row.put("firstName", "Ann");
    row.put("lastName", "Lee");
    row.put("phoneConsent", "yes");
    row.put("dncRegistered", "0");
    row.put("city", "");
    row.put("totalOwed", "99.90");
    DebtorInput in = DebtorInput.fromText(row);
    assertThat(in.get(DebtorField.PHONE_CONSENT)).isEqualTo(true);
    assertThat(in.get(DebtorField.DNC_REGISTERED)).isEqualTo(false);
    assertThat(in.has(DebtorField.CITY)).isFalse();
    assertThat(in.get(DebtorField.TOTAL_OWED)).isEqualTo(new BigDecimal("99.90"));
  }

  @Test
  void patch_withNothing_isRefused() {
    assertThatThrownBy(() -> DebtorInput.fromJson(new JsonObject(), DebtorInput.Mode.PATCH)).isInstanceOf(Problem.class);
  }
}
