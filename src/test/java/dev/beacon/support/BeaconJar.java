package dev.beacon.support;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The built jar run as an operator runs it ({@code java -jar target/beacon.jar}), for the tests of the real process. */
public final class BeaconJar {
  public static final Path JAR = Path.of("target", "beacon.jar").toAbsolutePath();
  /** The line Beacon logs once it serves; JSON logs escape the URL's slashes ({@code http:\/\/}). */
  private static final Pattern READY = Pattern.compile("Beacon is ready at (http:..\\S+:\\d+)");

  private BeaconJar() {
  }

  /**
   * One Beacon process per test, killed after the test if it still runs; the lines it logged so far; a Vert.x for
   * the test's clients, closed after the process.
   */
  public static final class Server implements AfterEachCallback {
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final Vertx vertx = Vertx.vertx();
    private Process process;

    /** Starts {@code pb} with stderr into stdout and answers the base URL once Beacon is ready. */
    public String start(ProcessBuilder pb, Duration atMost) throws Exception {
      pb.redirectErrorStream(true);
      process = pb.start();
      return awaitReady(process, output, atMost);
    }

    public Process process() {
      return process;
    }

    public List<String> output() {
      return output;
    }

    public Vertx vertx() {
      return vertx;
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
      if (process != null && process.isAlive()) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      TestApp.await(vertx.close());
    }
  }

  /** {@code java -jar beacon.jar args...} with this JVM's java. */
  public static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The environment of a Beacon on the test database, listening on a free port, its data in {@code dataDir}. */
  public static Map<String, String> env(Path dataDir, int httpInstances) {
    PgConnectOptions c = TestDatabase.get().connect();
    Map<String, String> env = new HashMap<>();
    env.put("BEACON_DB_URL", "postgresql://" + c.getUser() + "@" + c.getHost() + ":" + c.getPort() + "/" + c.getDatabase());
    if (c.getPassword() != null) {
      env.put("BEACON_DB_PASSWORD", c.getPassword());
    }
    env.put("BEACON_HTTP_PORT", "0");
    env.put("BEACON_HTTP_INSTANCES", Integer.toString(httpInstances));
    env.put("BEACON_DATA_DIR", dataDir.toString());
    return env;
  }

  /**
   * Reads the started process's output (stdout, with stderr redirected into it) line by line into {@code output}
   * on a daemon thread, and answers the base URL once Beacon says it is ready; fails if it exits first.
   */
  public static String awaitReady(Process process, List<String> output, Duration atMost) throws Exception {
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.add(line);
          Matcher m = READY.matcher(line);
          if (m.find()) {
            ready.complete(m.group(1).replace("\\/", "/"));
          }
        }
      } catch (Exception ignored) {
        // the process ended
      }
      ready.completeExceptionally(new IllegalStateException("Beacon exited before it was ready: " + output));
    });
    reader.setDaemon(true);
    reader.start();
    return ready.get(atMost.toMillis(), TimeUnit.MILLISECONDS);
  }
}
