#!/usr/bin/env bash
# Builds the stub libnccl and the benchmark jar, then runs the downcall benchmarks with JMH.
#
#   bench/run.sh                      # 3 forks x (5 warm-up + 5 measured) iterations of 1 s, about 2 minutes
#   bench/run.sh -f 1 -wi 2 -i 3      # anything after the script name goes to JMH as is
#   bench/run.sh -rf json -rff out.json communicatorAllReduce
#
# Needs gcc and JDK 25 (JAVA_HOME, else java on the PATH). SKIP_BUILD=1 reuses bench/target/benchmarks.jar.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

mkdir -p "$here/target/native"
stub="$here/target/native/libstub_nccl.so"
${CC:-gcc} -O2 -shared -fPIC -Wl,-z,noexecstack -Wall -Wextra -o "$stub" "$here/src/main/c/stub_nccl.c"

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$here/target/benchmarks.jar" ]; then
    (cd "$root" && MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" \
        mvn -q -pl bench -am package -DskipTests)
fi

# Forks inherit these JVM arguments (JMH's default), so every fork opens the same stub.
exec "$java" --enable-native-access=ALL-UNNAMED -Dncclffm.bench.stub="$stub" \
    -jar "$here/target/benchmarks.jar" DowncallBenchmark "$@"
