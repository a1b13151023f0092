package dev.beacon.core;

import java.util.List;

/** The debtor statuses the schema allows (see the CHECK constraint in V1). */
public final class DebtorStatus {
  public static final String ACTIVE = "active";
  public static final String PAYMENT_PLAN = "payment_plan";
  public static final String DISPUTE = "dispute";
  public static final String CEASE = "cease";
  public static final String RESOLVED = "resolved";
  /** Terminal: a closed account is kept for the record and no longer changes status. */
  public static final String CLOSED = "closed";
  public static final List<String> ALL = List.of(ACTIVE, PAYMENT_PLAN, DISPUTE, CEASE, RESOLVED, CLOSED);

  private DebtorStatus() {}
}
