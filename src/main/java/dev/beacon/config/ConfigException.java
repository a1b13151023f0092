package dev.beacon.config;

/** A configuration value that cannot be used; the message names the key and where it was set. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
