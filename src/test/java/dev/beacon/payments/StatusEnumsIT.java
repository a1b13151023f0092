package dev.beacon.payments;

import dev.beacon.core.DebtorStatus;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The Java status types name exactly the values the schema's CHECK constraints allow. */
@ExtendWith(BeaconExtension.class)
class StatusEnumsIT {
  private static final String CHECK = """
      SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
      WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%(status)::text%'""";

  private static Set<String> allowed(TestApp app, String table) {
    var rows = await(app.pool.preparedQuery(CHECK).execute(Tuple.of(table)));
    assertThat(rows.size()).as("one status CHECK on " + table).isEqualTo(1);
    Matcher m = Pattern.compile("'([a-z_]+)'").matcher(rows.iterator().next().getString("def"));
    Set<String> values = new TreeSet<>();
    while (m.find()) {
      values.add(m.group(1));
    }
    return values;
  }

  @Test
  void paymentStatuses(TestApp app) {
    assertThat(allowed(app, "payments"))
        .isEqualTo(new TreeSet<>(Arrays.stream(PaymentStatus.values()).map(PaymentStatus::sql).toList()));
  }

  @Test
  void planStatuses(TestApp app) {
    assertThat(allowed(app, "payment_plans"))
        .isEqualTo(new TreeSet<>(Arrays.stream(PlanStatus.values()).map(PlanStatus::sql).toList()));
  }

  @Test
  void debtorStatuses(TestApp app) {
    assertThat(allowed(app, "debtors")).isEqualTo(new TreeSet<>(DebtorStatus.ALL));
  }
}
