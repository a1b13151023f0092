package dev.beacon.http;

import io.vertx.core.http.HttpHeaders;

/**
 * The HTTP header names Beacon reads or writes that Vert.x's {@link HttpHeaders} does not name. Beacon writes every
 * header name as a constant: {@link HttpHeaders}' where it has one, one of these otherwise, never as a literal.
 * Each is prebuilt once ({@link HttpHeaders#createOptimized}), as Vert.x's own are.
 */
public final class Headers {
  public static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");
  public static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");

  // Proxies in front of Beacon (see ClientAddress)
  public static final CharSequence FORWARDED = HttpHeaders.createOptimized("Forwarded");
  public static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");
  public static final CharSequence X_FORWARDED_PROTO = HttpHeaders.createOptimized("X-Forwarded-Proto");
  public static final CharSequence X_FORWARDED_HOST = HttpHeaders.createOptimized("X-Forwarded-Host");

  // Security headers on pages
  public static final CharSequence CONTENT_SECURITY_POLICY = HttpHeaders.createOptimized("Content-Security-Policy");
  public static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("Referrer-Policy");
  public static final CharSequence X_CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
  public static final CharSequence X_FRAME_OPTIONS = HttpHeaders.createOptimized("X-Frame-Options");
  public static final CharSequence X_ROBOTS_TAG = HttpHeaders.createOptimized("X-Robots-Tag");

  // Prefetch and preview signals (see tracking's Origin)
  public static final CharSequence SEC_PURPOSE = HttpHeaders.createOptimized("Sec-Purpose");
  public static final CharSequence PURPOSE = HttpHeaders.createOptimized("Purpose");
  public static final CharSequence X_MOZ = HttpHeaders.createOptimized("X-Moz");

  // Webhook signatures
  public static final CharSequence STRIPE_SIGNATURE = HttpHeaders.createOptimized("Stripe-Signature");
  public static final CharSequence TWILIO_SIGNATURE = HttpHeaders.createOptimized("X-Twilio-Signature");
  public static final CharSequence SENDGRID_SIGNATURE =
      HttpHeaders.createOptimized("X-Twilio-Email-Event-Webhook-Signature");
  public static final CharSequence SENDGRID_TIMESTAMP =
      HttpHeaders.createOptimized("X-Twilio-Email-Event-Webhook-Timestamp");

  private Headers() {}
}
