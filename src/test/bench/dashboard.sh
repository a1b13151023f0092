#!/usr/bin/env bash
# Dashboard benchmark: loads debtors and email events (plus contacts, page views and payments in proportion)
# into the embedded PostgreSQL in durable mode, builds the rollups, and measures every dashboard endpoint's
# p50/p95/p99 over HTTP, computed (kept answers off, ranges varied) and kept, and the 304 path (each with the
# number of database queries it sent).
# Usage: src/test/bench/dashboard.sh [debtors=1000000] [events=10000000] [data-dir (kept and reused)]
set -euo pipefail
source "$(dirname "$0")/classes.sh" dashboard
exec java -Dbench.debtors="${1:-1000000}" -Dbench.events="${2:-10000000}" -Dbench.dir="${3:-}" \
  -Dbench.requests="${BENCH_REQUESTS:-400}" -Dbench.concurrency="${BENCH_CONCURRENCY:-4}" \
  -cp "$BENCH_CLASSPATH" dev.beacon.dashboard.DashboardBench
