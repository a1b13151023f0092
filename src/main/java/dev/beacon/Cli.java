package dev.beacon;

import dev.beacon.config.BeaconConfig;
import dev.beacon.config.BeaconConfig.ApiKey;
import dev.beacon.config.BeaconConfig.Role;
import dev.beacon.config.ConfigException;
import dev.beacon.config.ConfigSource;
import dev.beacon.http.ApiKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Beacon's command line (picocli). Without a command it runs the server. Nothing runs, and nothing is created
 * on disk, before the command line has parsed: a mistyped command or option prints why and exits 2.
 */
@Command(name = "beacon", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
    description = "Engagement tracking for a debt-collection agency. Without a command: run the server.",
    footer = {"", "Configuration: conf/config.json, then BEACON_* environment variables (secrets also",
        "from a file named by BEACON_*_FILE), then -Dkey=value; see `beacon config` and docs/deployment.md."},
    subcommands = {Cli.Run.class, Cli.Migrate.class, Cli.Info.class, Cli.Backup.class, Cli.Restore.class,
        Cli.ConfigCommand.class, Cli.Keys.class, CommandLine.HelpCommand.class})
public final class Cli implements Callable<Integer> {
  /** The exit "code" of a server that is now running: main must not exit. */
  static final int KEEP_RUNNING = -1;

  @Option(names = "--demo", description = "Run, and seed demo data once (same as `run --demo`).")
  boolean demo;

  /** Exit with this code (the message is already printed). */
  static final class Failed extends RuntimeException {
    final int code;

    Failed(int code) {
      super(null, null, false, false);
      this.code = code;
    }
  }

  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Cli()).setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof Failed f) {
        return f.code;
      }
      if (e instanceof ConfigException) {
        line.getErr().println(e.getMessage());
        return 2;
      }
      line.getErr().println(line.getCommandName() + " failed: " + rootMessage(e));
      return 1;
    });
    return cli.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    Beacon.run(demo);
    return KEEP_RUNNING;
  }

  @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the server (the default).")
  static final class Run implements Callable<Integer> {
    @Option(names = "--demo", description = "Seed 1,000 synthetic debtors with 90 days of history, once.")
    boolean demo;

    @Override
    public Integer call() throws Exception {
      Beacon.run(demo);
      return KEEP_RUNNING;
    }
  }

  @Command(name = "migrate", mixinStandardHelpOptions = true, description = "Apply pending migrations and exit.")
  static final class Migrate implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      Beacon.command("migrate");
      return 0;
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true, description = "List the migrations and their state.")
  static final class Info implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      Beacon.command("info");
      return 0;
    }
  }

  @Command(name = "backup", mixinStandardHelpOptions = true,
      description = "Write a logical backup of every table (stop the running server first).")
  static final class Backup implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "DIR", description = "Where to write it (default <data.dir>/backups).")
    String dir;

    @Override
    public Integer call() throws Exception {
      return Beacon.dataCommand(dir == null ? List.of("backup") : List.of("backup", dir));
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = "Reload an archive file (*.ndjson.gz) into its table, or a backup directory into a fresh database.")
  static final class Restore implements Callable<Integer> {
    @Parameters(arity = "1", paramLabel = "FILE|DIR")
    String target;

    @Override
    public Integer call() throws Exception {
      return Beacon.dataCommand(List.of("restore", target));
    }
  }

  @Command(name = "config", mixinStandardHelpOptions = true,
      description = "Print the effective configuration (secrets redacted) and where each value came from.")
  static final class ConfigCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      Map<String, String[]> all = BeaconConfig.explain(ConfigSource.ofProcess());
      int width = all.keySet().stream().mapToInt(String::length).max().orElse(10);
      all.forEach((key, v) -> System.out.printf("%-" + width + "s = %s   (%s)%n", key, v[0], v[1]));
      return 0;
    }
  }

  @Command(name = "keys", mixinStandardHelpOptions = true,
      description = {"Manage the API keys in <data.dir>/api-keys.json (only SHA-256 hashes are stored).",
          "A running server reloads that file within " + ApiKeys.WATCH_MILLIS / 1000 + " seconds of a change."},
      subcommands = {Keys.Create.class, Keys.ListKeys.class, Keys.Revoke.class})
  static final class Keys implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(System.err);
      return 2;
    }

    /** The key file of the running configuration; refused when keys come from {@code auth.keys} instead. */
    static Path keyFile() {
      BeaconConfig config = Beacon.loadConfig();
      if (!config.auth().keys().isEmpty()) {
        System.err.println("API keys are configured by auth.keys (conf/config.json or BEACON_AUTH_KEYS), which"
            + " replaces the key file: change them there. `keys` manages " + Beacon.keyFile(config) + " only.");
        throw new Failed(1);
      }
      return Beacon.keyFile(config);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a key, print it once on standard output, store its hash.")
    static final class Create implements Callable<Integer> {
      @Option(names = "--role", required = true, description = "agent, viewer or ops")
      Role role;
      @Option(names = "--name", required = true, description = "A unique name (letters, digits, . _ -)")
      String name;

      @Override
      public Integer call() throws Exception {
        if (!ApiKeys.NAME.matcher(name).matches()) {
          System.err.println("--name must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
          return 2;
        }
        Path file = keyFile();
        JsonArray entries = ApiKeys.entries(file);
        for (Object o : entries) {
          if (name.equals(((JsonObject) o).getString("name"))) {
            System.err.println("A key named " + name + " exists already; revoke it first or choose another name");
            return 1;
          }
        }
        String key = ApiKeys.newKey(role);
        entries.add(ApiKeys.entry(new ApiKey(name, role, ApiKeys.sha256(key)))
            .put("created", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
        ApiKeys.write(file, entries);
        System.err.println("Created " + role.name().toLowerCase(Locale.ROOT) + " key " + name + " in " + file
            + ". It is shown this once only:");
        System.out.println(key);
        return 0;
      }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the keys (names and roles, never keys).")
    static final class ListKeys implements Callable<Integer> {
      @Override
      public Integer call() throws Exception {
        JsonArray entries = ApiKeys.entries(keyFile());
        System.out.printf("%-24s %-7s %-20s %s%n", "NAME", "ROLE", "CREATED", "SHA-256");
        for (Object o : entries) {
          JsonObject k = (JsonObject) o;
          System.out.printf("%-24s %-7s %-20s %s…%n", k.getString("name"), k.getString("role"),
              k.getString("created", "-"), k.getString("sha256", "").substring(0, 12));
        }
        return 0;
      }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Delete the key of this name.")
    static final class Revoke implements Callable<Integer> {
      @Parameters(paramLabel = "NAME")
      String name;

      @Override
      public Integer call() throws Exception {
        Path file = keyFile();
        JsonArray entries = ApiKeys.entries(file);
        JsonArray kept = new JsonArray();
        List<String> gone = new ArrayList<>();
        for (Object o : entries) {
          JsonObject k = (JsonObject) o;
          if (name.equals(k.getString("name"))) {
            gone.add(name);
          } else {
            kept.add(k);
          }
        }
        if (gone.isEmpty()) {
          System.err.println("No key named " + name + " in " + file);
          return 1;
        }
        ApiKeys.write(file, kept);
        System.err.println("Revoked " + name + "; a running server stops accepting it within "
            + ApiKeys.WATCH_MILLIS / 1000 + " seconds");
        return 0;
      }
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Cli.class.getPackage().getImplementationVersion();
      return new String[] {"beacon " + (v == null ? "(development build)" : v)};
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }
}
