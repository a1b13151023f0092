package dev.beacon;

import dev.beacon.ops.Archive;
import dev.beacon.ops.Backup;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code backup [dir]}: a logical backup of every table under dir (default data/backups).
 * {@code restore <file>}: reloads an archive file ({@code *.ndjson.gz}) into its table; {@code restore <dir>}:
 * loads a backup directory into a fresh database. Both run on a migrated database ({@link Beacon} migrates it).
 */
record DataCommands(Vertx vertx, Pool pool, Path dataDir, String schemaVersion) {
  private static final long HOURS = 6;

  /** Runs {@code argv} ({@code backup ...} or {@code restore ...}); answers the exit code. */
  int run(List<String> argv) throws Exception {
    if (argv.get(0).equals("backup")) {
      Path dir = argv.size() > 1 ? Path.of(argv.get(1)) : dataDir.resolve("backups");
      var manifest = new Backup(vertx, pool).backup(dir, schemaVersion).await(HOURS, TimeUnit.HOURS);
      System.out.println("Backup written to " + manifest.getString("dir"));
      return 0;
    }
    if (argv.size() < 2) {
      System.err.println("usage: restore <archive.ndjson.gz | backup directory>");
      return 2;
    }
    Path target = Path.of(argv.get(1));
    long rows = Files.isDirectory(target)
        ? new Backup(vertx, pool).restore(target, schemaVersion).await(HOURS, TimeUnit.HOURS)
        : new Archive(vertx, pool, target.toAbsolutePath().getParent()).restore(target).await(HOURS, TimeUnit.HOURS);
    System.out.println("Restored " + rows + " rows from " + target);
    return 0;
  }
}
