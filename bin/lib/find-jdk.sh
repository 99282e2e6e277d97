# Sourced by bin/query-sniper and bin/run-tests: sets JAVA_HOME to a JDK >= 21.
# Order: $JAVA_HOME if new enough, then the standard JDK folders, newest first.
qs_java_major() { # prints the feature version of the java at $1/bin/java, or nothing
  [ -x "$1/bin/java" ] || return 0
  # The release file answers without starting a JVM (it costs ~0.1 s per probe otherwise).
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9][0-9]*\).*/\2/p' "$1/release" | head -n 1
    return 0
  fi
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

qs_find_jdk() {
  local min=21 candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(qs_java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge "$min" ]; then return 0; fi
  fi
  for candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$candidate" ] || continue
    [ -x "$candidate/bin/javac" ] || continue
    major=$(qs_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$min" ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate; best_major=$major
    fi
  done
  if [ -z "$best" ]; then
    echo "query-sniper: no JDK >= $min found (checked \$JAVA_HOME and /usr/lib/jvm, /opt/java)." >&2
    echo "query-sniper: install one (e.g. apt-get install openjdk-21-jdk-headless) or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME=$best
}

# Maven 3.8's bundled Guice and Guava call sun.misc.Unsafe; JDK 24+ warns about it on every build.
# The flag that allows it quietly exists only from JDK 23 on, so it is added only there.
qs_quiet_maven() {
  local major
  major=$(qs_java_major "$JAVA_HOME")
  if [ -n "$major" ] && [ "$major" -ge 23 ]; then
    case " ${MAVEN_OPTS:-} " in
      *sun-misc-unsafe-memory-access*) ;;
      *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
    esac
  fi
}
