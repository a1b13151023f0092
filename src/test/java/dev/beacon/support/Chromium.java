package dev.beacon.support;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium driven by its chromedriver, as these machines allow it (root: no sandbox; no
 * background networking; a fresh profile). A test that needs it is skipped when the packages are missing
 * ({@code .ci/run} installs them). Screenshots go to {@code target/screenshots} as build artefacts.
 */
public final class Chromium implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  static {
    // Selenium looks for a DevTools binding matching the browser and warns when there is none; we use none.
    Logger.getLogger("org.openqa.selenium.devtools").setLevel(Level.SEVERE);
  }

  private final Path profile;
  private final ChromeDriverService service;
  private final WebDriver driver;

  private Chromium(Path profile, ChromeDriverService service, WebDriver driver) {
    this.profile = profile;
    this.service = service;
    this.driver = driver;
  }

  /**
   * A browser with a window of {@code width,height} pixels. Without Chromium the test is skipped, unless the
   * environment says browser tests are required ({@code BEACON_BROWSER_TESTS=required}, as CI does): then it
   * fails.
   */
  public static Chromium start(String windowSize) throws IOException {
    boolean installed = Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
    if (!installed && "required".equals(System.getenv("BEACON_BROWSER_TESTS"))) {
      throw new IllegalStateException("Browser tests are required but " + BINARY + " or " + DRIVER + " is missing");
    }
    Assumptions.assumeTrue(installed, "Debian's chromium and chromium-driver are not installed");
    Path profile = Files.createTempDirectory("beacon-chromium-");
    ChromeOptions options = new ChromeOptions()
        .setBinary(BINARY.toFile())
        .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            "--window-size=" + windowSize, "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().build();
    return new Chromium(profile, service, new ChromeDriver(service, options));
  }

  public WebDriver driver() {
    return driver;
  }

  public void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }

  @Override
  public void close() {
    driver.quit();
    service.stop();
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
