#!/usr/bin/env bash
# Dashboard benchmark: loads debtors and email events (plus contacts, page views and payments in proportion)
# into the embedded PostgreSQL in durable mode, builds the rollups, and measures every dashboard endpoint's
# p50/p95/p99 over HTTP, computed (kept answers off, ranges varied) and kept, and the 304 path (each with the
# number of database queries it sent).
# Usage: src/test/bench/dashboard.sh [debtors=1000000] [events=10000000] [data-dir (kept and reused)]
set -euo pipefail
cd "$(dirname "$0")/../../.."
./mvnw -q -B test-compile
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
# A private copy of the classes, so builds during a long run cannot pull classes from under it.
rm -rf target/bench-dashboard && mkdir -p target/bench-dashboard
cp -r target/classes target/test-classes target/bench-dashboard/
exec java -Dbench.debtors="${1:-1000000}" -Dbench.events="${2:-10000000}" -Dbench.dir="${3:-}" \
  -Dbench.requests="${BENCH_REQUESTS:-400}" -Dbench.concurrency="${BENCH_CONCURRENCY:-4}" \
  -cp "target/bench-dashboard/classes:target/bench-dashboard/test-classes:$(cat target/bench-classpath.txt)" dev.beacon.dashboard.DashboardBench
