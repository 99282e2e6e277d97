#!/usr/bin/env bash
# Builds the JMH benchmarks jar and runs it. Extra arguments go to JMH, e.g. `bench/jmh/run.sh -f 1 -wi 1 -i 3 short`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bin/lib/find-jdk.sh"
qs_find_jdk
export JAVA_HOME
(cd "$root" && mvn -B -q -pl bench/jmh -am package -DskipTests)
exec "$JAVA_HOME/bin/java" -jar "$here/target/benchmarks.jar" "$@"
