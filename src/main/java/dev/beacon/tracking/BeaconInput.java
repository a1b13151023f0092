package dev.beacon.tracking;

import dev.beacon.db.Uuids;
import dev.beacon.http.Problem.FieldError;
import dev.beacon.http.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The page beacon's fields validated, shared by {@code POST /t/b}, the events import and tracked links. */
final class BeaconInput {
  static final Set<String> PAGE_TYPES = Set.of("landing", "payment", "info");
  static final int MAX_TIME_ON_PAGE = 7 * 24 * 3600;
  static final int MAX_ACTIONS = 50;
  static final int MAX_ACTION_LENGTH = 200;

  private BeaconInput() {}

  /** A validated beacon; {@code actionsJson} is a JSON array text or null. */
  record Beacon(String token, UUID pageViewId, String pageType, Integer timeOnPage, String actionsJson) {}

  static Beacon parse(JsonObject o) {
    List<FieldError> errors = new ArrayList<>();
    Object token = o.getValue("token");
    if (!(token instanceof String)) {
      errors.add(new FieldError("token", "is required"));
    }
    UUID pageViewId = null;
    Object pv = o.getValue("pageViewId");
    if (pv != null) {
      pageViewId = Uuids.parseOrNull(pv);
      if (pageViewId == null) {
        errors.add(new FieldError("pageViewId", "must be a UUID"));
      }
    }
    String pageType = pageType(o.getValue("pageType"), errors);
    Integer time = timeOnPage(o.getValue("timeOnPage"), errors);
    String actions = actions(o.getValue("actions"), errors);
    if (!errors.isEmpty()) {
      throw Problem.invalid(errors);
    }
    return new Beacon((String) token, pageViewId, pageType, time, actions);
  }

  static String pageType(Object raw, List<FieldError> errors) {
    if (!(raw instanceof String s) || !PAGE_TYPES.contains(s)) {
      errors.add(new FieldError("pageType", "must be landing, payment or info"));
      return null;
    }
    return s;
  }

  static Integer timeOnPage(Object raw, List<FieldError> errors) {
    if (raw == null) {
      return null;
    }
    if (raw instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= MAX_TIME_ON_PAGE) {
      return (int) Math.round(n.doubleValue());
    }
    errors.add(new FieldError("timeOnPage", "must be a number of seconds from 0 to " + MAX_TIME_ON_PAGE));
    return null;
  }

  /** Up to {@value #MAX_ACTIONS} actions, each a short string or a small object. */
  static String actions(Object raw, List<FieldError> errors) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonArray a) || a.size() > MAX_ACTIONS) {
      errors.add(new FieldError("actions", "must be an array of at most " + MAX_ACTIONS + " actions"));
      return null;
    }
    for (Object x : a) {
      boolean ok = (x instanceof String s && !s.isEmpty() && s.length() <= MAX_ACTION_LENGTH)
          || (x instanceof JsonObject j && j.encode().length() <= MAX_ACTION_LENGTH);
      if (!ok) {
        errors.add(new FieldError("actions", "each action must be a string or object of at most "
            + MAX_ACTION_LENGTH + " characters"));
        return null;
      }
    }
    String text = a.encode();
    if (text.contains("\\u0000")) {
      // PostgreSQL's jsonb refuses NUL; one such beacon must not fail the whole batch.
      errors.add(new FieldError("actions", "must not contain NUL characters"));
      return null;
    }
    return text;
  }
}
