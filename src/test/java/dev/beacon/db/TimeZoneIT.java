package dev.beacon.db;

import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.TimeZone;

import static dev.beacon.support.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Month partitions are bounded by date literals: the migrations (Flyway, over JDBC) and the retention job (the
 * pool) must both read them in UTC, whatever the server's and the JVM's zones, or the job's first new month
 * overlaps the migrations' last one.
 */
@ExtendWith(BeaconExtension.class)
class TimeZoneIT {
  @Test
  void partitionsAreUtcMonths_whateverTheServersAndTheJvmsZones(TestApp app) throws Exception {
    String name = "beacon_tz_" + System.nanoTime();
    await(app.pool.query("CREATE DATABASE " + name).execute());
    await(app.pool.query("ALTER DATABASE " + name + " SET TimeZone = 'Pacific/Auckland'").execute());
    TimeZone jvm = TimeZone.getDefault();
    Pool pool = null;
    try {
      TimeZone.setDefault(TimeZone.getTimeZone("America/Chicago"));
      URI base = URI.create(app.database.jdbcUrl().substring("jdbc:".length()));
      Database db = Database.of("postgresql://" + base.getHost() + ":" + base.getPort() + "/" + name,
          app.database.user(), app.database.password());
      Migrations.migrate(db);
      pool = db.pool(app.vertx, 1);

      assertThat(await(pool.query("SHOW TimeZone").execute()).iterator().next().getString(0)).isEqualTo("UTC");
      // The migrations' partition for this month starts at UTC midnight on the first.
      String bound = await(pool.query("""
          SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c
          WHERE c.relname = 'page_views_' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMM')""").execute())
          .iterator().next().getString(0);
      assertThat(bound).contains("-01 00:00:00+00");
      // The retention job's next month (made through the pool) meets the migrations' last one without overlap.
      await(pool.query("""
          SELECT beacon_ensure_month_partition('page_views', 'timestamp',
                 (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '4 months')::date)""").execute());
      long months = await(pool.query("SELECT count(*) FROM pg_inherits WHERE inhparent = 'page_views'::regclass")
          .execute()).iterator().next().getLong(0);
      assertThat(months).isEqualTo(9); // 3 back, this month, 3 ahead, the default, and the new one
    } finally {
      TimeZone.setDefault(jvm);
      if (pool != null) {
        await(pool.close());
      }
      await(app.pool.query("DROP DATABASE IF EXISTS " + name).execute());
    }
  }
}
