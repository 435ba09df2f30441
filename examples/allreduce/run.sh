#!/usr/bin/env bash
# Builds this example against the installed ncclffm-binding and ncclffm-device and runs it on the module path.
#
#   NCCLFFM_SO_PATH=/path/to/libnccl.so.2 examples/allreduce/run.sh [-Dmaven.repo.local=DIR ...]
#
# Install the binding first (./mvnw install -pl binding,device -am -DskipTests at the top level). Extra arguments
# go to Maven. Exit codes are the example's: 0 right, 3 NCCL could not create the communicator (no usable GPU),
# 4 wrong result, 1 other.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
: "${NCCLFFM_SO_PATH:?set NCCLFFM_SO_PATH to the NCCL library to run against}"
export NCCLFFM_SO_PATH
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
"$root/mvnw" -q -B -ntp -f "$here/pom.xml" package "$@"
exec "$java" --enable-native-access=io.ncclffm,io.ncclffm.device,jcuda \
  -p "$here/target/allreduce-0.1.0-SNAPSHOT.jar:$here/target/modules" \
  -m io.ncclffm.examples.allreduce/io.ncclffm.examples.allreduce.AllReduceExample
