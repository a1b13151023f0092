#!/usr/bin/env bash
# Worklist benchmark: on the scoring benchmark's kept database (generate it once with
#   ./mvnw -B test -Dtest=ScoringBenchmark -Dbench.debtors=1000000 -Dbench.events=10000000 -Dbench.dir=DIR),
# migrates it, adds the facts the worklist reads (zones, phones, DNC, opt-outs; once), and prints p50/p95/p99/max
# of the worklist's first and second pages per channel, the blocked list and next-contact, over HTTP.
# Usage: src/test/bench/worklist.sh DIR [requests=300]
set -euo pipefail
source "$(dirname "$0")/classes.sh" worklist
exec java -Dbench.dir="$1" -Dbench.requests="${2:-300}" \
  -cp "$BENCH_CLASSPATH" dev.beacon.worklist.WorklistBench
