package dev.beacon.worklist;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.OPS_KEY;
import static dev.beacon.support.TestApp.VIEWER_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The worklist, the blocked list and next-contact over real HTTP and the real schema. */
@ExtendWith(BeaconExtension.class)
@Timeout(120)
class WorklistIT {
  static final ZoneId CHICAGO = ZoneId.of("America/Chicago");
  static final String[] ZONES = {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
      "Pacific/Honolulu", null};
  static final String[] STATES = {"NY", "IL", "TX", "CA", null};
  static final String[] STATUSES = {"active", "active", "active", "payment_plan", "dispute", "cease", "resolved",
      "closed"};

  @BeforeAll
  static void freshPattern() {
    PortfolioPattern.maxAge = Duration.ZERO;
  }

  @AfterAll
  static void keptPattern() {
    PortfolioPattern.maxAge = Duration.ofMinutes(60);
  }

  record Seeded(UUID id, BigDecimal rank, String status, boolean email, boolean phone) {}

  /** A debtor inserted as the worklist reads it; {@code score} and the balance give its rank. */
  static UUID debtor(TestApp app, String status, int score, String owed, String paid, boolean emailConsent,
                     boolean phoneConsent, boolean dnc, String timezone, String state, boolean email, boolean phone) {
    UUID id = UUID.randomUUID();
    await(app.pool.preparedQuery("""
        INSERT INTO debtors (id, first_name, last_name, email, phone, unique_token, total_owed, amount_paid, status,
                             email_consent, phone_consent, dnc_registered, timezone, state, payment_propensity_score)
        VALUES ($1, 'W', 'Debtor', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)""")
        .execute(Tuple.tuple().addValue(id).addValue(email ? "w-" + id + "@example.com" : null)
            .addValue(phone ? "+15125550100" : null).addValue("tok_" + id.toString().replace("-", ""))
            .addValue(new BigDecimal(owed)).addValue(new BigDecimal(paid)).addValue(status).addValue(emailConsent).addValue(phoneConsent)
            .addValue(dnc).addValue(timezone).addValue(state).addValue(score)));
    return id;
  }

  static UUID chicagoDebtor(TestApp app) {
    return debtor(app, "active", 40, "1000.00", "0.00", true, true, false, "America/Chicago", "IL", true, true);
  }

  static void event(TestApp app, UUID debtor, String kind, String label, Instant at) {
    await(app.pool.preparedQuery("""
        INSERT INTO email_events (debtor_id, kind, label, reason, occurred_at) VALUES ($1, $2, $3, 'test', $4)""")
        .execute(Tuple.of(debtor, kind, label, at.atOffset(ZoneOffset.UTC))));
  }

  static void pageView(TestApp app, UUID debtor, Instant at) {
    await(app.pool.preparedQuery("""
        INSERT INTO page_views (debtor_id, page_type, "timestamp") VALUES ($1, 'landing', $2)""")
        .execute(Tuple.of(debtor, at.atOffset(ZoneOffset.UTC))));
  }

  static void call(TestApp app, UUID debtor, String outcome, Instant at) {
    await(app.pool.preparedQuery("""
        INSERT INTO communications (debtor_id, type, direction, call_outcome, "timestamp", compliance_rule_set)
        VALUES ($1, 'phone', 'outbound', $2, $3, 'regf-2026.1')""")
        .execute(Tuple.of(debtor, outcome, at.atOffset(ZoneOffset.UTC))));
  }

  static void optOut(TestApp app, UUID debtor, String channel) {
    await(app.pool.preparedQuery("INSERT INTO debtor_opt_outs (debtor_id, channel, source) VALUES ($1, $2, 'agent')")
        .execute(Tuple.of(debtor, channel)));
  }

  static String q(Object v) {
    return URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8);
  }

  static JsonObject ok(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  /** Every row of a list, page by page ({@code limit} per page). */
  static List<JsonObject> all(Http http, String path, int limit) {
    List<JsonObject> rows = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 1000; pages++) {
      JsonObject page = ok(http.get(path + "&limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor), AGENT_KEY));
      assertThat(page.getJsonArray("items").size()).isLessThanOrEqualTo(limit);
      page.getJsonArray("items").forEach(o -> rows.add((JsonObject) o));
      cursor = page.getString("nextCursor");
      if (cursor == null) {
        return rows;
      }
    }
    throw new AssertionError("more than 1000 pages");
  }

  /** Two days ago at 14:30 UTC: morning in the east, still night in the west, whatever the season. */
  static Instant mixedHour() {
    return LocalDate.now(ZoneOffset.UTC).minusDays(2).atTime(14, 30).toInstant(ZoneOffset.UTC);
  }

  @Test
  @DisplayName("brute force on a small portfolio: the worklist is exactly the gate-allowed debtors in rank order, "
      + "the blocked list the rest with the gate's rule")
  void bruteForce_worklistIsCompleteAndOrdered(TestApp app) {
    Http http = new Http(app);
    Random rnd = new Random(18);
    Instant at = mixedHour();
    List<Seeded> seeded = new ArrayList<>();
    for (int i = 0; i < 90; i++) {
      String status = STATUSES[rnd.nextInt(STATUSES.length)];
      // Ties: a few share score and balance, so the id breaks them.
      int score = i % 9 == 0 ? 50 : rnd.nextInt(101);
      String owed = i % 9 == 0 ? "500.00" : (50 + rnd.nextInt(5000)) + ".25";
      String paid = rnd.nextInt(5) == 0 ? owed : i % 9 == 0 ? "0.00" : String.valueOf(rnd.nextInt(40));
      boolean hasEmail = rnd.nextInt(10) > 0;
      boolean hasPhone = rnd.nextInt(5) > 0;
      UUID id = debtor(app, status, score, owed, paid, rnd.nextInt(10) > 1, rnd.nextInt(10) > 3, rnd.nextInt(8) == 0,
          ZONES[rnd.nextInt(ZONES.length)], STATES[rnd.nextInt(STATES.length)], hasEmail, hasPhone);
      int history = rnd.nextInt(6);
      if (history == 0) {
        for (int c = 0; c < 7; c++) {
          call(app, id, "no_answer", at.minus(Duration.ofHours(20L * c + 3)));
        }
      } else if (history == 1) {
        call(app, id, "answered", at.minus(Duration.ofDays(2)));
      } else if (history == 2) {
        optOut(app, id, List.of("email", "sms", "phone").get(rnd.nextInt(3)));
      }
      seeded.add(new Seeded(id, new BigDecimal(score).multiply(new BigDecimal(owed).subtract(new BigDecimal(paid))
          .max(BigDecimal.ZERO)), status, hasEmail, hasPhone));
    }
    Comparator<Seeded> ranking = Comparator.comparing(Seeded::rank).thenComparing(s -> s.id().toString()).reversed();
    List<Seeded> ranked = seeded.stream().filter(s -> !s.status().equals("resolved") && !s.status().equals("closed"))
        .sorted(ranking).toList();

    for (String channel : List.of("email", "phone", "sms")) {
      List<String> expectedAllowed = new ArrayList<>();
      List<JsonObject> expectedBlocked = new ArrayList<>();
      for (Seeded s : ranked) {
        JsonObject check = ok(http.get("/api/compliance/check?debtorId=" + s.id() + "&type=" + channel + "&at=" + q(at),
            AGENT_KEY));
        boolean address = channel.equals("email") ? s.email() : s.phone();
        if (check.getBoolean("allowed") && address) {
          expectedAllowed.add(s.id().toString());
        } else {
          String rule = check.getBoolean("allowed") ? (channel.equals("email") ? "no-email-address" : "no-phone-number")
              : check.getString("rule");
          expectedBlocked.add(new JsonObject().put("debtorId", s.id().toString()).put("rule", rule)
              .put("nextAllowedAt", check.getString("nextAllowedAt")));
        }
      }
      List<JsonObject> worklist = all(http, "/api/worklist?channel=" + channel + "&at=" + q(at), 7);
      assertThat(worklist.stream().map(r -> r.getString("debtorId")).toList()).as(channel).isEqualTo(expectedAllowed);
      assertThat(expectedAllowed).as("the portfolio has allowed debtors on " + channel).hasSizeGreaterThan(3);
      assertThat(worklist).allSatisfy(r -> {
        assertThat(r.getString("status")).isIn("active", "payment_plan");
        assertThat(r.getJsonArray("rulesPassed").getList()).contains("inconvenient-time", "opt-out");
        JsonObject best = r.getJsonObject("bestHour");
        if (best != null) {
          assertThat(Instant.parse(best.getString("start"))).isAfterOrEqualTo(at);
          JsonObject later = ok(http.get("/api/compliance/check?debtorId=" + r.getString("debtorId") + "&type=" + channel
              + "&at=" + q(best.getString("start")), AGENT_KEY));
          assertThat(later.getBoolean("allowed")).isTrue();
        }
      });
      // Each row's expected collection is score / 100 × balance.
      JsonObject first = worklist.get(0);
      assertThat(new BigDecimal(first.getString("expectedCollection")))
          .isEqualByComparingTo(new BigDecimal(first.getString("balance")).multiply(BigDecimal.valueOf(first.getInteger("score")))
              .movePointLeft(2).setScale(2, RoundingMode.HALF_UP));

      List<JsonObject> blocked = all(http, "/api/worklist/blocked?channel=" + channel + "&at=" + q(at), 5);
      assertThat(blocked.stream().map(r -> new JsonObject().put("debtorId", r.getString("debtorId"))
          .put("rule", r.getString("rule")).put("nextAllowedAt", r.getString("nextAllowedAt"))).toList())
          .as(channel).isEqualTo(expectedBlocked);
      assertThat(blocked.stream().map(r -> r.getString("rule")).distinct().toList())
          .contains("inconvenient-time", "dispute", "cease");
    }
  }

  @Test
  @DisplayName("the same ranking on every page: a page size of 1 and of 500 list the same debtors")
  void paging_isStable(TestApp app) {
    Http http = new Http(app);
    for (int i = 0; i < 12; i++) {
      debtor(app, "active", 30, "100.00", "0.00", true, true, false, "America/New_York", null, true, true);
    }
    Instant at = LocalDate.now(ZoneOffset.UTC).minusDays(1).atTime(17, 0).toInstant(ZoneOffset.UTC);
    List<String> one = all(http, "/api/worklist?channel=email&at=" + q(at), 1).stream().map(r -> r.getString("debtorId")).toList();
    List<String> big = all(http, "/api/worklist?channel=email&at=" + q(at), 500).stream().map(r -> r.getString("debtorId")).toList();
    assertThat(one).hasSize(12).isEqualTo(big);
    assertThat(one).isSortedAccordingTo(Comparator.reverseOrder());
  }

  @Test
  @DisplayName("a page examines at most 2,000 candidates: when the gate refuses them all, an empty page with a cursor "
      + "that resumes after them, and nobody is skipped")
  void boundedScan_resumesWithCursor(TestApp app) {
    Http http = new Http(app);
    int night = WorklistService.MAX_EXAMINED + 50;
    // Ranked first but in Honolulu, where 14:30 UTC is 04:30: the gate refuses them all (inconvenient-time).
    await(app.pool.preparedQuery("""
        INSERT INTO debtors (first_name, last_name, email, unique_token, total_owed, status, timezone,
                             payment_propensity_score)
        SELECT 'Night', 'Owl' || g, 'owl' || g || '@example.com', 'tok_owl_' || md5(g::text), 1000, 'active',
               'Pacific/Honolulu', 90
        FROM generate_series(1, $1::int) g""").execute(Tuple.of(night)));
    UUID east = debtor(app, "active", 10, "10.00", "0.00", true, true, false, "America/New_York", "NY", true, true);
    Instant at = mixedHour();
    JsonObject first = ok(http.get("/api/worklist?channel=email&limit=10&at=" + q(at), AGENT_KEY));
    assertThat(first.getJsonArray("items")).isEmpty();
    assertThat(first.getString("nextCursor")).isNotNull();
    JsonObject second = ok(http.get("/api/worklist?channel=email&limit=10&at=" + q(at) + "&cursor="
        + first.getString("nextCursor"), AGENT_KEY));
    assertThat(second.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("debtorId")).toList())
        .containsExactly(east.toString());
    assertThat(second.getValue("nextCursor")).isNull();
    JsonObject blocked = ok(http.get("/api/worklist/blocked?channel=email&limit=10&at=" + q(at), AGENT_KEY));
    assertThat(blocked.getJsonArray("items")).hasSize(10).allSatisfy(o -> assertThat(((JsonObject) o).getString("rule"))
        .isEqualTo("inconvenient-time"));
  }

  /** The Monday before last, 09:15 in Chicago: in the past, with two weeks of history behind it. */
  static Instant mondayMorning() {
    return LocalDate.now(CHICAGO).minusWeeks(1).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
        .atTime(9, 15).atZone(CHICAGO).toInstant();
  }

  @Test
  @DisplayName("a debtor who only reads at 19:00 local: best time in the 19:00 hour, inside calling hours, on every channel")
  void eveningReader_nextContactAtSevenPm(TestApp app) {
    Http http = new Http(app);
    UUID id = chicagoDebtor(app);
    Instant at = mondayMorning();
    LocalDate day = at.atZone(CHICAGO).toLocalDate();
    for (int i = 1; i <= 40; i++) {
      Instant read = day.minusDays(i).atTime(19, 5 + i % 50).atZone(CHICAGO).toInstant();
      if (i % 3 == 0) {
        pageView(app, id, read);
      } else {
        event(app, id, i % 2 == 0 ? "open" : "click", "human", read);
      }
    }
    JsonObject n = ok(http.get("/api/debtors/" + id + "/next-contact?at=" + q(at), AGENT_KEY));
    assertThat(n.getString("timeZone")).isEqualTo("America/Chicago");
    assertThat(n.getString("localTime")).startsWith(day + "T09:15:00");
    assertThat(n.getJsonObject("evidence").getLong("debtorEvents")).isEqualTo(40);
    for (String channel : List.of("email", "phone", "sms")) {
      JsonObject c = n.getJsonObject("channels").getJsonObject(channel);
      assertThat(c.getBoolean("allowed")).isTrue();
      assertThat(c.getString("nextAllowedAt")).isEqualTo(at.toString());
      JsonObject best = c.getJsonObject("bestTime");
      assertThat(best.getInteger("localHour")).isEqualTo(19);
      ZonedDateTime local = ZonedDateTime.parse(best.getString("localStart"));
      assertThat(local.toLocalTime()).isEqualTo(LocalTime.of(19, 0));
      assertThat(Instant.parse(best.getString("start"))).isAfter(at).isBefore(at.plus(Duration.ofDays(7)));
      assertThat(best.getLong("debtorEventsAtHour")).isPositive();
      assertThat(best.getDouble("expectedResponseRate")).isBetween(0.0, 1.0).isPositive();
      assertThat(ok(http.get("/api/compliance/check?debtorId=" + id + "&type=" + channel + "&at=" + q(best.getString("start")),
          AGENT_KEY)).getBoolean("allowed")).isTrue();
    }

    // Machine opens and scanner clicks at 03:00 local change nothing.
    JsonObject worklistBefore = ok(http.get("/api/worklist?channel=email&at=" + q(at), AGENT_KEY));
    for (int i = 1; i <= 60; i++) {
      Instant night = day.minusDays(i % 30 + 1).atTime(3, i % 60).atZone(CHICAGO).toInstant();
      event(app, id, "open", "machine", night);
      event(app, id, "click", "scanner", night.plusSeconds(1));
    }
    JsonObject again = ok(http.get("/api/debtors/" + id + "/next-contact?at=" + q(at), AGENT_KEY));
    assertThat(again).isEqualTo(n);
    assertThat(ok(http.get("/api/worklist?channel=email&at=" + q(at), AGENT_KEY))).isEqualTo(worklistBefore);
    assertThat(worklistBefore.getJsonArray("items").getJsonObject(0).getJsonObject("bestHour").getInteger("localHour"))
        .isEqualTo(19);
  }

  @Test
  @DisplayName("a debtor with no events gets the portfolio's best hour")
  void noEvents_getsPortfolioBestHour(TestApp app) {
    Http http = new Http(app);
    Instant at = mondayMorning();
    LocalDate monday = at.atZone(CHICAGO).toLocalDate();
    // The portfolio reads on Wednesdays at 14:00 local (and some at 03:00, which the gate never allows).
    for (int d = 0; d < 5; d++) {
      UUID other = debtor(app, "active", 20, "100.00", "0.00", true, true, false, d % 2 == 0 ? "America/Chicago"
          : "America/New_York", null, true, true);
      ZoneId zone = ZoneId.of(d % 2 == 0 ? "America/Chicago" : "America/New_York");
      for (int w = 1; w <= 3; w++) {
        event(app, other, "open", "human", monday.minusWeeks(w).plusDays(2).atTime(14, 10 + d).atZone(zone).toInstant());
        event(app, other, "open", "human", monday.minusWeeks(w).plusDays(1).atTime(3, 10).atZone(zone).toInstant());
      }
    }
    UUID quiet = chicagoDebtor(app);
    JsonObject n = ok(http.get("/api/debtors/" + quiet + "/next-contact?at=" + q(at), VIEWER_KEY));
    assertThat(n.getJsonObject("evidence").getLong("debtorEvents")).isZero();
    assertThat(n.getJsonObject("evidence").getLong("portfolioEvents")).isGreaterThanOrEqualTo(30);
    JsonObject best = n.getJsonObject("channels").getJsonObject("email").getJsonObject("bestTime");
    assertThat(best.getInteger("hourOfWeek")).isEqualTo(2 * 24 + 14);
    assertThat(ZonedDateTime.parse(best.getString("localStart")).toLocalDateTime())
        .isEqualTo(monday.plusDays(2).atTime(14, 0));
    assertThat(best.getLong("debtorEventsAtHour")).isZero();
    assertThat(best.getLong("portfolioEventsAtHour")).isEqualTo(15);
  }

  @Test
  @DisplayName("a DST week keeps local hours right: 19:00 EST reads give 19:00 EDT after the change")
  void dstWeek(TestApp app) {
    Http http = new Http(app);
    ZoneId ny = ZoneId.of("America/New_York");
    UUID id = debtor(app, "active", 40, "1000.00", "0.00", true, true, false, "America/New_York", "NY", true, true);
    for (int w = 0; w < 8; w++) {
      event(app, id, "open", "human", LocalDate.of(2026, 3, 3).minusWeeks(w).atTime(19, 20).atZone(ny).toInstant());
    }
    Instant at = LocalDateTime.of(2026, 3, 7, 9, 0).atZone(ny).toInstant(); // Saturday before the change
    JsonObject n = ok(http.get("/api/debtors/" + id + "/next-contact?at=" + q(at), AGENT_KEY));
    JsonObject best = n.getJsonObject("channels").getJsonObject("phone").getJsonObject("bestTime");
    assertThat(best.getString("start")).isEqualTo("2026-03-10T23:00:00Z");
    assertThat(best.getString("localStart")).isEqualTo("2026-03-10T19:00:00-04:00");
    assertThat(best.getLong("debtorEventsAtHour")).isEqualTo(8);
    assertThat(n.getString("localTime")).isEqualTo("2026-03-07T09:00:00-05:00");
  }

  @Test
  @DisplayName("an opted-out, non-consenting or disputed channel: not allowed, no next instant, no best time")
  void blockedChannels(TestApp app) {
    Http http = new Http(app);
    UUID id = debtor(app, "active", 40, "1000.00", "0.00", true, false, false, "America/Chicago", "IL", true, true);
    optOut(app, id, "email");
    JsonObject n = ok(http.get("/api/debtors/" + id + "/next-contact?at=" + q(mondayMorning()), AGENT_KEY));
    JsonObject email = n.getJsonObject("channels").getJsonObject("email");
    assertThat(email.getBoolean("allowed")).isFalse();
    assertThat(email.getString("rule")).isEqualTo("opt-out");
    assertThat(email.getValue("nextAllowedAt")).isNull();
    assertThat(email.getValue("bestTime")).isNull();
    assertThat(n.getJsonObject("channels").getJsonObject("phone").getString("rule")).isEqualTo("phone-consent");
    // At 22:00 local the time rule refuses, with the next 8:00.
    Instant night = mondayMorning().atZone(CHICAGO).withHour(22).toInstant();
    UUID ok = chicagoDebtor(app);
    JsonObject late = ok(http.get("/api/debtors/" + ok + "/next-contact?at=" + q(night), AGENT_KEY))
        .getJsonObject("channels").getJsonObject("sms");
    assertThat(late.getString("rule")).isEqualTo("inconvenient-time");
    assertThat(late.getString("nextAllowedAt"))
        .isEqualTo(night.atZone(CHICAGO).plusDays(1).withHour(8).withMinute(0).toInstant().toString());
  }

  @ParameterizedTest(name = "GET {0} is a {1} naming {2}")
  @DisplayName("bad input: 400 naming channel, at, limit, cursor or id; an unknown debtor 404")
  @CsvSource(nullValues = "-", value = {
      "/api/worklist?channel=fax, 400, channel",
      "/api/worklist, 400, channel",
      "/api/worklist/blocked?channel=letter, 400, channel",
      "/api/worklist?channel=email&at=yesterday, 400, at",
      "/api/worklist?channel=email&limit=0, 400, limit",
      "/api/worklist?channel=email&limit=501, 400, limit",
      "/api/worklist/blocked?channel=sms&limit=x, 400, limit",
      "/api/worklist?channel=email&cursor=bm9wZQ, 400, cursor",
      "/api/debtors/00000000-0000-4000-8000-000000000000/next-contact, 404, -",
      "/api/debtors/nope/next-contact, 400, id"})
  void badInput(String path, int status, String field, TestApp app) {
    assertProblem(new Http(app).get(path, AGENT_KEY), status, field);
  }

  @Test
  @DisplayName("a bad time for a known debtor is a 400 naming at; viewers read, ops may not")
  void badTime_andRoles(TestApp app) {
    Http http = new Http(app);
    UUID id = chicagoDebtor(app);
    assertProblem(http.get("/api/debtors/" + id + "/next-contact?at=2026-13-01", AGENT_KEY), 400, "at");
    assertThat(http.get("/api/worklist?channel=email", VIEWER_KEY).statusCode()).isEqualTo(200);
    assertThat(http.get("/api/worklist/blocked?channel=email", VIEWER_KEY).statusCode()).isEqualTo(200);
    assertThat(http.get("/api/worklist?channel=email", OPS_KEY).statusCode()).isEqualTo(403);
    assertThat(http.get("/api/worklist?channel=email", null).statusCode()).isEqualTo(401);
  }

  static void assertProblem(HttpResponse<Buffer> r, int status, String field) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    if (field != null) {
      JsonArray errors = r.bodyAsJsonObject().getJsonArray("errors");
      assertThat(errors.stream().map(e -> ((JsonObject) e).getString("field"))).contains(field);
    }
  }
}
