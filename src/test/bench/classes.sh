# Sourced by the benchmark scripts: builds the test classes and the dependency classpath, and copies the classes
# to a private folder, so builds during a long run cannot pull classes from under it.
# Usage: source "$(dirname "$0")/classes.sh" NAME; then java -cp "$BENCH_CLASSPATH" ...
# Leaves the shell at the repository's root.
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
./mvnw -q -B test-compile
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
rm -rf "target/bench-$1" && mkdir -p "target/bench-$1"
cp -r target/classes target/test-classes "target/bench-$1/"
BENCH_CLASSPATH="target/bench-$1/classes:target/bench-$1/test-classes:$(cat target/bench-classpath.txt)"
