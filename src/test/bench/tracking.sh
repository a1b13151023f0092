#!/usr/bin/env bash
# Tracking benchmark (docs/benchmarks.md): ceiling, minimal group-commit writer, one INSERT per request, Beacon's
# pixel and Beacon's beacon, alternated over rounds, on a durable PostgreSQL (fsync and synchronous_commit on),
# with wrk; then a sustained run. The embedded PostgreSQL unless a URL is given.
# Usage: src/test/bench/tracking.sh [connections=64] [seconds per run=10] [rounds=3] [sustained seconds=60] [postgresql URL]
set -euo pipefail
cd "$(dirname "$0")/../../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
./mvnw -q -B test-compile
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
exec java -Dbench.connections="${1:-64}" -Dbench.seconds="${2:-10}" -Dbench.rounds="${3:-3}" \
  -Dbench.sustained="${4:-60}" -Dbench.url="${5:-}" \
  -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" dev.beacon.tracking.TrackingBench
