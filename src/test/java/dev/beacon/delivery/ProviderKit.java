package dev.beacon.delivery;

import com.twilio.security.RequestValidator;
import dev.beacon.dashboard.RollupJob;
import dev.beacon.support.Http;
import dev.beacon.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.awaitility.Awaitility;

import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.beacon.support.TestApp.AGENT_KEY;
import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Beacon with every provider configured, the providers' signing keys (an ECDSA key pair for SendGrid, an RSA
 * key and self-signed certificate for SNS served by a local fake certificate host), and helpers that sign
 * payloads in each provider's documented shape with its real scheme.
 */
final class ProviderKit implements AutoCloseable {
  static final String MAILGUN_KEY = "key-mailgun-signing-test";
  static final String POSTMARK_USER = "postmark";
  static final String POSTMARK_PASSWORD = "s3cret-Postmark";
  static final String TWILIO_TOKEN = "twilio-auth-token-test";
  static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:beacon-ses";

  final TestApp app;
  final Http http;
  final KeyPair sendgridKeys;
  final PrivateKey snsKey;
  final Vertx fakeVertx = Vertx.vertx();
  final HttpServer fakeSns;
  final AtomicInteger certFetches = new AtomicInteger();
  final AtomicInteger confirmations = new AtomicInteger();
  final String certBase;

  private ProviderKit() throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    sendgridKeys = ec.generateKeyPair();
    Path dir = Files.createTempDirectory("sns-cert");
    Path store = dir.resolve("sns.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "sns", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=sns.amazonaws.com",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit",
        "-keypass", "changeit").redirectErrorStream(true).start();
    assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(store.toFile())) {
      ks.load(in, "changeit".toCharArray());
    }
    snsKey = (PrivateKey) ks.getKey("sns", "changeit".toCharArray());
    Certificate cert = ks.getCertificate("sns");
    String pem = "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    fakeSns = await(fakeVertx.createHttpServer().requestHandler(req -> {
      if (req.path().endsWith(".pem")) {
        certFetches.incrementAndGet();
        req.response().end(pem);
      } else if (req.path().startsWith("/confirm")) {
        confirmations.incrementAndGet();
        req.response().end("<ConfirmSubscriptionResponse/>");
      } else {
        req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1"));
    certBase = "http://127.0.0.1:" + fakeSns.actualPort();
    JsonObject delivery = new JsonObject()
        .put("sendgridPublicKey", Base64.getEncoder().encodeToString(sendgridKeys.getPublic().getEncoded()))
        .put("mailgunSigningKey", MAILGUN_KEY)
        .put("postmarkUser", POSTMARK_USER).put("postmarkPassword", POSTMARK_PASSWORD)
        .put("twilioAuthToken", TWILIO_TOKEN)
        .put("sesTopicArns", new JsonArray().add(TOPIC))
        .put("snsCertBase", certBase)
        .put("softBounceLimit", 3);
    app = TestApp.start(new JsonObject().put("delivery", delivery));
    http = new Http(app);
  }

  static ProviderKit start() {
    try {
      return new ProviderKit();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- Beacon's own API

  /** A Chicago debtor with email and phone consent and the given phone. */
  JsonObject debtor(String phone) {
    JsonObject body = new JsonObject().put("firstName", "Ann").put("lastName", "Lee")
        .put("email", "ann-" + UUID.randomUUID() + "@example.com").put("phone", phone)
        .put("state", "IL").put("timezone", "America/Chicago").put("totalOwed", "900.00").put("phoneConsent", true);
    HttpResponse<Buffer> r = http.post("/api/debtors", AGENT_KEY, body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return r.bodyAsJsonObject();
  }

  JsonObject debtor() {
    return debtor("+15125550100");
  }

  /** Noon in Chicago yesterday: a convenient, past time for a contact. */
  static Instant noonYesterday() {
    ZoneId chicago = ZoneId.of("America/Chicago");
    return LocalDate.now(chicago).minusDays(1).atTime(LocalTime.NOON).atZone(chicago).toInstant();
  }

  HttpResponse<Buffer> contact(JsonObject debtor, String type, JsonObject extra) {
    JsonObject body = new JsonObject().put("type", type).put("direction", "outbound")
        .put("at", noonYesterday().toString()).put("subject", "Your account").put("content", "Hello").mergeIn(extra);
    return http.post("/api/debtors/" + debtor.getString("id") + "/communications", AGENT_KEY, body);
  }

  /** Records an outbound email (or sms) and answers its id. */
  String sent(JsonObject debtor, String type) {
    HttpResponse<Buffer> r = contact(debtor, type, new JsonObject());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return r.bodyAsJsonObject().getString("id");
  }

  /** An outbound communication recorded for a new debtor: the debtor, the communication's id, the debtor's email. */
  record Sent(JsonObject debtor, String id, String email) {}

  Sent sentEmail() {
    JsonObject d = debtor();
    return new Sent(d, sent(d, "email"), d.getString("email"));
  }

  Sent sentSms() {
    JsonObject d = debtor();
    return new Sent(d, sent(d, "sms"), d.getString("email"));
  }

  /** Records {@code n} outbound contacts of {@code type}; their ids, in order (a list the caller may extend). */
  /** A new debtor sent {@code n} emails: the debtor, its address and the communications' ids, oldest first. */
  record Emailed(JsonObject debtor, String email, List<String> ids) {}

  Emailed emailed(int n) {
    JsonObject d = debtor();
    return new Emailed(d, d.getString("email"), sent(d, "email", n));
  }

  List<String> sent(JsonObject debtor, String type, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(sent(debtor, type));
    }
    return ids;
  }

  long events() {
    return count("SELECT count(*) FROM delivery_events");
  }

  /** The communication's deliveryStatus as its debtor's communication list answers it. */
  String status(String communicationId) {
    String debtor = await(app.pool.preparedQuery("SELECT debtor_id FROM communications WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(communicationId)))).iterator().next().getUUID(0).toString();
    JsonObject page = http.get("/api/debtors/" + debtor + "/communications", AGENT_KEY).bodyAsJsonObject();
    for (Object o : page.getJsonArray("items")) {
      JsonObject c = (JsonObject) o;
      if (c.getString("id").equals(communicationId)) {
        return c.getString("deliveryStatus");
      }
    }
    throw new AssertionError("no communication " + communicationId);
  }

  /** What the gate answers for a contact of {@code type} tomorrow noon: "allowed" or the refusing rule. */
  String gate(JsonObject debtor, String type) {
    JsonObject d = http.get("/api/compliance/check?debtorId=" + debtor.getString("id") + "&type=" + type
        + "&at=" + noonYesterday().plus(Duration.ofDays(1)), AGENT_KEY).bodyAsJsonObject();
    return d.getBoolean("allowed") ? "allowed" : d.getString("rule");
  }

  /** Runs the rollup job and waits until the dashboard answers with the version it produced. */
  void rollup() {
    long version = await(new RollupJob(app.vertx, app.pool).runOnce(true)).version();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/api/dashboard/scores",
        TestApp.VIEWER_KEY).getHeader("ETag").startsWith("W/\"" + version + "-"));
  }

  /** The debtor opt-outs a complaint recorded. */
  long complaintOptOuts() {
    return count("SELECT count(*) FROM debtor_opt_outs WHERE source = 'complaint'");
  }

  /** A webhook's answer applied one event, a complaint: it recorded the one complaint opt-out. */
  void assertComplaintApplied(HttpResponse<Buffer> answer) {
    assertThat(answer.bodyAsJsonObject().getInteger("applied")).isEqualTo(1);
    assertThat(complaintOptOuts()).isEqualTo(1);
  }

  long count(String sql, Object... params) {
    Row r = await(app.pool.preparedQuery(sql).execute(Tuple.wrap(params))).iterator().next();
    return r.getLong(0);
  }

  // ---- SendGrid

  HttpResponse<Buffer> sendgrid(JsonArray events) {
    return sendgrid(events.encode(), Instant.now(), null);
  }

  /** Posts {@code body} signed at {@code at}; {@code tamper} (if set) replaces the body after signing. */
  HttpResponse<Buffer> sendgrid(String body, Instant at, String tamper) {
    return await(sendgridAsync(body, at, tamper));
  }

  Future<HttpResponse<Buffer>> sendgridAsync(String body, Instant at, String tamper) {
    String ts = Long.toString(at.getEpochSecond());
    String signature;
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initSign(sendgridKeys.getPrivate());
      ecdsa.update((ts + body).getBytes(StandardCharsets.UTF_8));
      signature = Base64.getEncoder().encodeToString(ecdsa.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return app.client.post("/webhooks/sendgrid").putHeader("Content-Type", "application/json")
        .putHeader(SendGridEvents.SIGNATURE, signature).putHeader(SendGridEvents.TIMESTAMP, ts)
        .sendBuffer(Buffer.buffer(tamper == null ? body : tamper));
  }

  static JsonObject sgEvent(String id, String type, String email, String communicationId) {
    JsonObject e = new JsonObject().put("email", email).put("timestamp", Instant.now().getEpochSecond())
        .put("event", type).put("sg_event_id", id)
        .put("sg_message_id", "msg-" + communicationId + ".filterdrecv-1.2.3").put("smtp-id", "<x@y>");
    if (communicationId != null) {
      e.put("beacon_communication_id", communicationId);
    }
    return e;
  }

  // ---- Mailgun

  HttpResponse<Buffer> mailgun(JsonObject eventData, String token, Instant at, String key) {
    String ts = Long.toString(at.getEpochSecond());
    String sig = HexFormat.of().formatHex(Signatures.hmac("HmacSHA256", key.getBytes(StandardCharsets.UTF_8), ts + token));
    JsonObject body = new JsonObject().put("signature", new JsonObject().put("timestamp", ts).put("token", token)
        .put("signature", sig)).put("event-data", eventData);
    return await(app.client.post("/webhooks/mailgun").sendJsonObject(body));
  }

  static JsonObject mgEvent(String id, String event, String severity, String recipient, String communicationId) {
    JsonObject e = new JsonObject().put("id", id).put("event", event).put("timestamp", Instant.now().getEpochSecond() + 0.25)
        .put("recipient", recipient)
        .put("message", new JsonObject().put("headers", new JsonObject().put("message-id", "mg-" + communicationId)))
        .put("delivery-status", new JsonObject().put("code", 550).put("description", "No such mailbox"));
    if (severity != null) {
      e.put("severity", severity);
    }
    if (communicationId != null) {
      e.put("user-variables", new JsonObject().put("beacon_communication_id", communicationId));
    }
    return e;
  }

  // ---- Postmark

  /** Posts {@code record} with the configured webhook credentials. */
  HttpResponse<Buffer> postmark(JsonObject record) {
    return postmark(record, POSTMARK_USER, POSTMARK_PASSWORD);
  }

  HttpResponse<Buffer> postmark(JsonObject record, String user, String password) {
    HttpRequest<Buffer> req = app.client.post("/webhooks/postmark");
    if (user != null) {
      req.basicAuthentication(user, password);
    }
    return await(req.sendJsonObject(record));
  }

  // ---- SES through SNS

  HttpResponse<Buffer> sns(JsonObject message) {
    return await(app.client.post("/webhooks/ses").putHeader("Content-Type", "text/plain; charset=UTF-8")
        .putHeader("x-amz-sns-message-type", message.getString("Type")).sendBuffer(message.toBuffer()));
  }

  /** An SNS message of {@code type} signed (version 1 or 2) with the fake certificate's key. */
  JsonObject snsSigned(String type, String messageId, String message, int version, String topic) {
    JsonObject m = new JsonObject().put("Type", type).put("MessageId", messageId).put("TopicArn", topic)
        .put("Message", message).put("Timestamp", Instant.now().toString()).put("SignatureVersion", String.valueOf(version))
        .put("SigningCertURL", certBase + "/SimpleNotificationService-test.pem");
    if (type.equals("SubscriptionConfirmation")) {
      m.put("Token", "tok-" + messageId).put("SubscribeURL", certBase + "/confirm?Token=tok-" + messageId);
    }
    String canonical = SnsMessages.canonical(m, type.equals("Notification")
        ? List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
        : List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"));
    try {
      Signature s = Signature.getInstance(version == 1 ? "SHA1withRSA" : "SHA256withRSA");
      s.initSign(snsKey);
      s.update(canonical.getBytes(StandardCharsets.UTF_8));
      m.put("Signature", Base64.getEncoder().encodeToString(s.sign()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return m;
  }

  static String sesBounce(String bounceType, String recipient, String communicationId) {
    return new JsonObject().put("notificationType", "Bounce")
        .put("bounce", new JsonObject().put("bounceType", bounceType).put("bounceSubType", "General")
            .put("bouncedRecipients", new JsonArray().add(new JsonObject().put("emailAddress", recipient)
                .put("status", "5.1.1").put("diagnosticCode", "smtp; 550 5.1.1 user unknown")))
            .put("timestamp", Instant.now().toString()).put("feedbackId", "fb-1"))
        .put("mail", sesMail(communicationId)).encode();
  }

  static JsonObject sesMail(String communicationId) {
    JsonObject mail = new JsonObject().put("messageId", "ses-" + communicationId).put("timestamp", Instant.now().toString())
        .put("destination", new JsonArray().add("x@example.com"));
    if (communicationId != null) {
      mail.put("tags", new JsonObject().put("beacon_communication_id", new JsonArray().add(communicationId)));
    }
    return mail;
  }

  // ---- Twilio

  /** Posts form {@code params} to {@code path} signed as Twilio signs (checked against the Twilio library). */
  HttpResponse<Buffer> twilio(String path, Map<String, String> params, String token) {
    String url = app.baseUrl() + path;
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    params.forEach(form::add);
    String signature = Base64.getEncoder().encodeToString(new TwilioEvents(token).sign(url, form));
    if (token.equals(TWILIO_TOKEN)) {
      assertThat(new RequestValidator(TWILIO_TOKEN).validate(url, params, signature))
          .as("the Twilio library accepts the signature").isTrue();
    }
    return await(app.client.post(path).putHeader(TwilioEvents.SIGNATURE, signature).sendForm(form));
  }

  @Override
  public void close() {
    app.close();
    await(fakeVertx.close());
  }
}
