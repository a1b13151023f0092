#!/usr/bin/env bash
# Tracking benchmark: Beacon's pixel and beacon endpoints on a durable PostgreSQL (fsync and
# synchronous_commit on) against a bare Vert.x GIF server, with wrk at 64 connections.
# Usage: src/test/bench/tracking.sh [connections] [seconds per run] [rounds]
set -euo pipefail
cd "$(dirname "$0")/../../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
./mvnw -q -B test-compile
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
exec java -Dbench.connections="${1:-64}" -Dbench.seconds="${2:-10}" -Dbench.rounds="${3:-3}" \
  -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" dev.beacon.tracking.TrackingBench
