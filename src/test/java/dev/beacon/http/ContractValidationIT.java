package dev.beacon.http;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Contract;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** The contract check the shared test client runs on every exchange catches drift in either direction. */
@ExtendWith(BeaconExtension.class)
@Timeout(60)
class ContractValidationIT {

  @Test
  void aRealAnswerPasses_andTheSameAnswerWithAnUndeclaredFieldFails(TestApp app) {
    var created = new Http(app).post("/api/debtors", AGENT_KEY, new JsonObject().put("firstName", "Ann")
        .put("lastName", "Lee"));
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject debtor = created.bodyAsJsonObject();
    String path = "/api/debtors/" + debtor.getString("id");
    Contract contract = Contract.get();
    assertThat(contract.checkAnswer("GET", path, 200, "application/json", debtor.toBuffer())).isEmpty();

    var problems = contract.checkAnswer("GET", path, 200, "application/json",
        debtor.copy().put("internalNote", "x").toBuffer());
    assertThat(problems).singleElement().asString()
        .contains("GET " + path + " → 200", "/internalNote", "additionalProperties");
    assertThat(contract.checkAnswer("GET", path, 200, "application/json",
        debtor.copy().put("totalOwed", 12).toBuffer())).singleElement().asString().contains("/totalOwed");
    assertThat(contract.checkAnswer("GET", path, 418, "application/json", debtor.toBuffer()))
        .singleElement().asString().contains("not documented");
  }
}
