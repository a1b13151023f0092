package dev.beacon.debtors;

import dev.beacon.core.DebtorStatus;
import dev.beacon.db.SqlLiterals;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The SQL of {@link DebtorImport}: one upsert statement per batch, the rows as parallel arrays ({@code unnest},
 * positional parameters). A row whose email already exists updates that debtor.
 */
final class DebtorImportRepository {
  static final String UPSERT = """
      WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                             $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                             $15::bool[], $16::bool[], $17::bool[])
          AS i(unique_token, first_name, last_name, email, phone, address_line1, address_line2, city, state,
               zip_code, timezone, total_owed, amount_paid, status, phone_consent, email_consent, dnc_registered)
      ),
      upd AS (
        UPDATE debtors d SET
          first_name = i.first_name, last_name = i.last_name,
          phone = coalesce(i.phone, d.phone),
          address_line1 = coalesce(i.address_line1, d.address_line1),
          address_line2 = coalesce(i.address_line2, d.address_line2),
          city = coalesce(i.city, d.city), state = coalesce(i.state, d.state),
          zip_code = coalesce(i.zip_code, d.zip_code), timezone = coalesce(i.timezone, d.timezone),
          total_owed = coalesce(i.total_owed::numeric, d.total_owed),
          amount_paid = coalesce(i.amount_paid::numeric, d.amount_paid),
          status = coalesce(i.status, d.status),
          phone_consent = coalesce(i.phone_consent, d.phone_consent),
          email_consent = coalesce(i.email_consent, d.email_consent),
          dnc_registered = coalesce(i.dnc_registered, d.dnc_registered),
          updated_at = now()
        FROM input i
        WHERE i.email IS NOT NULL AND d.email = i.email AND d.status <> %1$s
          AND coalesce(i.amount_paid::numeric, d.amount_paid) <= coalesce(i.total_owed::numeric, d.total_owed)
        RETURNING i.unique_token
      ),
      ins AS (
        INSERT INTO debtors (unique_token, first_name, last_name, email, phone, address_line1, address_line2, city,
                             state, zip_code, timezone, total_owed, amount_paid, status, phone_consent,
                             email_consent, dnc_registered)
        SELECT i.unique_token, i.first_name, i.last_name, i.email, i.phone, i.address_line1, i.address_line2,
               i.city, i.state, i.zip_code, i.timezone, coalesce(i.total_owed::numeric, 0),
               coalesce(i.amount_paid::numeric, 0), coalesce(i.status, %2$s), coalesce(i.phone_consent, false),
               coalesce(i.email_consent, true), coalesce(i.dnc_registered, false)
        FROM input i
        WHERE (i.email IS NULL OR NOT EXISTS (SELECT 1 FROM debtors d WHERE d.email = i.email))
          AND coalesce(i.amount_paid::numeric, 0) <= coalesce(i.total_owed::numeric, 0)
        ON CONFLICT (email) DO NOTHING
        RETURNING unique_token
      )
      SELECT 'u' AS op, unique_token FROM upd
      UNION ALL
      SELECT 'i', unique_token FROM ins
      UNION ALL
      SELECT 'm', i.unique_token FROM input i LEFT JOIN debtors d ON d.email = i.email AND d.status <> %1$s
      WHERE coalesce(i.amount_paid::numeric, d.amount_paid, 0) > coalesce(i.total_owed::numeric, d.total_owed, 0)"""
      .formatted(SqlLiterals.of(DebtorStatus.CLOSED), SqlLiterals.of(DebtorStatus.ACTIVE));

  /** One validated row to write, and the token a new debtor gets. */
  record Pending(DebtorInput input, String token) {}

  /**
   * What one batch did: how many debtors it created and updated, the tokens of the rows written, and those refused
   * because the amount paid would exceed the amount owed.
   */
  record Outcome(long created, long updated, Set<String> done, Set<String> overpaid) {}

  private final Pool pool;

  DebtorImportRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Outcome> upsert(List<Pending> rows) {
    return pool.preparedQuery(UPSERT).execute(tuple(rows)).map(result -> {
      long created = 0;
      long updated = 0;
      Set<String> done = new HashSet<>();
      Set<String> overpaid = new HashSet<>();
      for (Row r : result) {
        if ("m".equals(r.getString("op"))) {
          overpaid.add(r.getString("unique_token"));
          continue;
        }
        done.add(r.getString("unique_token"));
        if ("i".equals(r.getString("op"))) {
          created++;
        } else {
          updated++;
        }
      }
      return new Outcome(created, updated, done, overpaid);
    });
  }

  private static Tuple tuple(List<Pending> rows) {
    int n = rows.size();
    String[][] text = new String[14][n];
    Boolean[][] flags = new Boolean[3][n];
    for (int i = 0; i < n; i++) {
      Pending p = rows.get(i);
      DebtorInput in = p.input();
      text[0][i] = p.token();
      text[1][i] = (String) in.get(DebtorField.FIRST_NAME);
      text[2][i] = (String) in.get(DebtorField.LAST_NAME);
      text[3][i] = (String) in.get(DebtorField.EMAIL);
      text[4][i] = (String) in.get(DebtorField.PHONE);
      text[5][i] = (String) in.get(DebtorField.ADDRESS_LINE1);
      text[6][i] = (String) in.get(DebtorField.ADDRESS_LINE2);
      text[7][i] = (String) in.get(DebtorField.CITY);
      text[8][i] = (String) in.get(DebtorField.STATE);
      text[9][i] = (String) in.get(DebtorField.ZIP_CODE);
      text[10][i] = (String) in.get(DebtorField.TIMEZONE);
      text[11][i] = plain((BigDecimal) in.get(DebtorField.TOTAL_OWED));
      text[12][i] = plain((BigDecimal) in.get(DebtorField.AMOUNT_PAID));
      text[13][i] = (String) in.get(DebtorField.STATUS);
      flags[0][i] = (Boolean) in.get(DebtorField.PHONE_CONSENT);
      flags[1][i] = (Boolean) in.get(DebtorField.EMAIL_CONSENT);
      flags[2][i] = (Boolean) in.get(DebtorField.DNC_REGISTERED);
    }
    Tuple t = Tuple.tuple();
    for (String[] column : text) {
      t.addArrayOfString(column);
    }
    for (Boolean[] column : flags) {
      t.addArrayOfBoolean(column);
    }
    return t;
  }

  private static String plain(BigDecimal d) {
    return d == null ? null : d.toPlainString();
  }
}
