#!/usr/bin/env bash
# Times `query-sniper fingerprint` against pt-fingerprint as whole processes (JVM start included) on the same
# 1,000,000 generated queries, then checks linearity on single 10 KB / 100 KB / 1 MB queries and that no planted
# value reaches the output. Usage: bench/fingerprint/run.sh [query-count]
# Env: QS_BENCH_REPS (1) repetitions of the timed pair; QS_BENCH_PT_LONG_TIMEOUT (120 s) bounds pt-fingerprint on
# one long query; QS_BENCH_JSON=FILE appends the JSON line of the figures to FILE.
# Uses bin/query-sniper when the daemon jar can be built; otherwise runs FingerprintCommand from the module
# classes (java -cp) through a throwaway launcher; QS_BENCH_CLASSES=1 forces that.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
count=${1:-1000000}
work="$here/target"
mkdir -p "$work"
. "$root/bin/lib/find-jdk.sh"
qs_find_jdk
export JAVA_HOME

now() { date +%s.%N; }
# CPU seconds (user+sys) of a command: on a shared machine these are steadier than wall time.
cpu() { local TIMEFORMAT='%U %S'; { time "$@" 2>/dev/null; } 2>&1 | awk '{ print $1 + $2 }'; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }

echo "generating $count queries..." >&2
python3 "$here/gen_queries.py" "$count" > "$work/queries.sql"
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
for name, size in (("10k", 10_000), ("100k", 100_000), ("1m", 1_000_000)):
    body, i = [], 0
    while sum(map(len, body)) < size:
        body.append("(%d, 'PLANTEDSECRET%d', 0x%x)" % (i, i, i))
        i += 1
    with open("%s/long-%s.sql" % (work, name), "w") as f:
        f.write("insert into t (a, b, c) values " + ", ".join(body) + " or x in (" + ", ".join(str(j) for j in range(i)) + ");\n")
PY

# Our command: the packaged CLI if it builds, else the classes directly.
if [ -z "${QS_BENCH_CLASSES:-}" ] && "$root/bin/query-sniper" fingerprint --help >/dev/null 2>&1; then
  ours=("$root/bin/query-sniper" fingerprint)
  echo "ours: bin/query-sniper fingerprint" >&2
else
  echo "ours: daemon jar not available; running FingerprintCommand via java -cp" >&2
  (cd "$root" && mvn -B -q ${QS_MVN_OPTS:-} -pl sniper-daemon -am compile >&2)
  picocli_version=$(sed -n 's:.*<picocli.version>\(.*\)</picocli.version>.*:\1:p' "$root/pom.xml")
  cp="$root/sniper-core/target/classes:$root/sniper-daemon/target/classes:$HOME/.m2/repository/info/picocli/picocli/$picocli_version/picocli-$picocli_version.jar"
  mkdir -p "$work/launcher"
  cat > "$work/launcher/FingerprintMain.java" <<'JAVA'
public final class FingerprintMain {
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new io.querysniper.daemon.cli.FingerprintCommand()).execute(args));
    }
}
JAVA
  "$JAVA_HOME/bin/javac" -cp "$cp" -d "$work/launcher" "$work/launcher/FingerprintMain.java"
  ours=("$JAVA_HOME/bin/java" ${QS_JAVA_OPTS:-} -cp "$work/launcher:$cp" FingerprintMain)
fi

run_ours() { "${ours[@]}" < "$work/queries.sql" > "$work/ours.out"; }
run_pt() { pt-fingerprint "$work/queries.sql" > "$work/pt.out"; }
# QS_BENCH_REPS repetitions, the two tools alternating, so a medians' ratio is taken from the same conditions.
reps=${QS_BENCH_REPS:-1}
ours_walls="" ours_cpus="" pt_walls="" pt_cpus="" pt_leaks=null
for rep in $(seq "$reps"); do
  t0=$(now); ours_cpu=$(cpu run_ours); t1=$(now)
  ours_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  ours_walls="$ours_walls${ours_walls:+,}$ours_s" ours_cpus="$ours_cpus${ours_cpus:+,}$ours_cpu"
  echo "query-sniper fingerprint: $count queries in ${ours_s}s = $(rate "$count" "$ours_s") q/s (cpu ${ours_cpu}s)"

  if command -v pt-fingerprint >/dev/null; then
    t0=$(now); pt_cpu=$(cpu run_pt); t1=$(now)
    pt_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    pt_walls="$pt_walls${pt_walls:+,}$pt_s" pt_cpus="$pt_cpus${pt_cpus:+,}$pt_cpu"
    echo "pt-fingerprint:           $count queries in ${pt_s}s = $(rate "$count" "$pt_s") q/s (cpu ${pt_cpu}s)"
    awk -v a="$pt_s" -v b="$ours_s" -v c="$pt_cpu" -v d="$ours_cpu" 'BEGIN {
      printf "ratio (query-sniper / pt-fingerprint): %.2fx wall, %.2fx cpu (target >= 3x)\n", a / b, c / d }'
    pt_leaks=$(grep -ci plantedsecret "$work/pt.out" || true)
    echo "pt-fingerprint lines carrying a planted value: $pt_leaks"
  else
    echo "pt-fingerprint not installed: no comparison"
  fi
done
[ "$(wc -l < "$work/ours.out")" -eq "$count" ] || { echo "FAIL: expected $count output lines" >&2; exit 1; }
leaks=$(grep -ci plantedsecret "$work/ours.out" || true)
echo "query-sniper lines carrying a planted value: $leaks"
echo "distinct fingerprints: $(sort -u "$work/ours.out" | wc -l)"

echo "linearity (single query, whole process incl. JVM start):"
linear=""
for size in 10k 100k 1m; do
  t0=$(now); "${ours[@]}" < "$work/long-$size.sql" > "$work/long-$size.out"; t1=$(now)
  ours_one=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  line="  $size: query-sniper ${ours_one}s"
  pt_one=null
  if command -v pt-fingerprint >/dev/null; then
    t0=$(now); timeout "${QS_BENCH_PT_LONG_TIMEOUT:-120}" pt-fingerprint "$work/long-$size.sql" > /dev/null || true; t1=$(now)
    pt_one=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    line="$line, pt-fingerprint ${pt_one}s"
  fi
  linear="$linear${linear:+,}\"$size\":{\"qs_s\":$ours_one,\"pt_s\":$pt_one}"
  echo "$line -> $(cut -c1-80 "$work/long-$size.out")"
  if grep -qi plantedsecret "$work/long-$size.out"; then leaks=$((leaks + 1)); fi
done
json=$(printf '{"bench":"fingerprint","queries":%d,"reps":%d,"qs":{"wall_s":[%s],"cpu_s":[%s],"planted_leaks":%d},"pt":{"wall_s":[%s],"cpu_s":[%s],"planted_leaks":%s},"single_query":{%s},"loadavg":"%s"}' \
  "$count" "$reps" "$ours_walls" "$ours_cpus" "$leaks" "$pt_walls" "$pt_cpus" "$pt_leaks" "$linear" "$(cut -d' ' -f1-3 /proc/loadavg)")
echo "$json"
if [ -n "${QS_BENCH_JSON:-}" ]; then echo "$json" >>"$QS_BENCH_JSON"; fi
[ "$leaks" -eq 0 ] || { echo "FAIL: a planted value reached the output" >&2; exit 1; }
