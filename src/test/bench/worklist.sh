#!/usr/bin/env bash
# Worklist benchmark: on the scoring benchmark's kept database (generate it once with
#   ./mvnw -B test -Dtest=ScoringBenchmark -Dbench.debtors=1000000 -Dbench.events=10000000 -Dbench.dir=DIR),
# migrates it, adds the facts the worklist reads (zones, phones, DNC, opt-outs; once), and prints p50/p95/p99/max
# of the worklist's first and second pages per channel, the blocked list and next-contact, over HTTP.
# Usage: src/test/bench/worklist.sh DIR [requests=300]
set -euo pipefail
cd "$(dirname "$0")/../../.."
./mvnw -q -B test-compile
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
# A private copy of the classes, so builds during a long run cannot pull classes from under it.
rm -rf target/bench-worklist && mkdir -p target/bench-worklist
cp -r target/classes target/test-classes target/bench-worklist/
exec java -Dbench.dir="$1" -Dbench.requests="${2:-300}" \
  -cp "target/bench-worklist/classes:target/bench-worklist/test-classes:$(cat target/bench-classpath.txt)" dev.beacon.worklist.WorklistBench
