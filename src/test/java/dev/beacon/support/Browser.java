package dev.beacon.support;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.WebDriver;

import java.io.IOException;

/**
 * A fresh {@link Chromium} for every test of a browser test class, closed after it:
 * {@code @RegisterExtension final Browser browser = new Browser("412,915");}. Skipped (or failed, where browser
 * tests are required) as {@link Chromium#start} says when Chromium is missing.
 */
public final class Browser implements BeforeEachCallback, AfterEachCallback {
  private final String windowSize;
  private Chromium chromium;

  /** A browser whose window is {@code width,height} pixels. */
  public Browser(String windowSize) {
    this.windowSize = windowSize;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    chromium = Chromium.start(windowSize);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (chromium != null) {
      chromium.close();
      chromium = null;
    }
  }

  public WebDriver driver() {
    return chromium.driver();
  }

  public void screenshot(String name) throws IOException {
    chromium.screenshot(name);
  }
}
