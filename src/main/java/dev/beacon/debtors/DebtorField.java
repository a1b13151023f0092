package dev.beacon.debtors;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The debtor fields a client may write, with their JSON name, column and kind. */
public enum DebtorField {
  FIRST_NAME("firstName", "first_name", Kind.TEXT, 100),
  LAST_NAME("lastName", "last_name", Kind.TEXT, 100),
  EMAIL("email", "email", Kind.EMAIL, 255),
  PHONE("phone", "phone", Kind.PHONE, 20),
  ADDRESS_LINE1("addressLine1", "address_line1", Kind.TEXT, 255),
  ADDRESS_LINE2("addressLine2", "address_line2", Kind.TEXT, 255),
  CITY("city", "city", Kind.TEXT, 100),
  STATE("state", "state", Kind.STATE, 2),
  ZIP_CODE("zipCode", "zip_code", Kind.ZIP, 10),
  TIMEZONE("timezone", "timezone", Kind.TIMEZONE, 64),
  TOTAL_OWED("totalOwed", "total_owed", Kind.MONEY, 0),
  AMOUNT_PAID("amountPaid", "amount_paid", Kind.MONEY, 0),
  STATUS("status", "status", Kind.STATUS, 20),
  PHONE_CONSENT("phoneConsent", "phone_consent", Kind.BOOLEAN, 0),
  EMAIL_CONSENT("emailConsent", "email_consent", Kind.BOOLEAN, 0),
  DNC_REGISTERED("dncRegistered", "dnc_registered", Kind.BOOLEAN, 0);

  /** How a field's value is checked and normalised. */
  public enum Kind { TEXT, EMAIL, PHONE, STATE, ZIP, TIMEZONE, MONEY, STATUS, BOOLEAN }

  private static final Map<String, DebtorField> BY_JSON =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(f -> f.json, Function.identity()));

  public final String json;
  public final String column;
  public final Kind kind;
  public final int maxLength;

  DebtorField(String json, String column, Kind kind, int maxLength) {
    this.json = json;
    this.column = column;
    this.kind = kind;
    this.maxLength = maxLength;
  }

  public static DebtorField byJson(String name) {
    return BY_JSON.get(name);
  }

  /** Fields that may not be null or absent on create, nor set to null. */
  public boolean required() {
    return this == FIRST_NAME || this == LAST_NAME;
  }

  /** Fields whose column is NOT NULL with a default: null is refused, absence takes the default. */
  public boolean nonNull() {
    return kind == Kind.MONEY || kind == Kind.BOOLEAN || kind == Kind.STATUS || required();
  }
}
