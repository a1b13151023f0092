package dev.beacon.delivery;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/** A test class's Beacon with every provider configured ({@link ProviderKit}), its tables emptied before each test. */
@Timeout(90)
abstract class WithProviderKit {
  static ProviderKit kit;

  @BeforeAll
  static void start() {
    kit = ProviderKit.start();
  }

  @AfterAll
  static void stop() {
    kit.close();
  }

  @BeforeEach
  void reset() {
    kit.app.reset();
  }
}
