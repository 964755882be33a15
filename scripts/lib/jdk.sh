# Sourced by Coffer's scripts: makes JAVA_HOME point at a JDK 21 or newer.
# Honours JAVA_HOME when it is new enough, else picks the newest JDK under /usr/lib/jvm, because the
# machine's default java may be 17 (Helidon 4 and web3j 5 need 21+).

coffer_java_major() { # $1 = a java binary; prints its feature version, e.g. 17 or 25
  # The JDK's release file says it without starting a JVM (each start costs ~0.1 s, and the CLI launcher runs this every time).
  local release; release="$(dirname "$(dirname "$1")")/release"
  if [ -f "$release" ] && grep -q '^JAVA_VERSION=' "$release"; then
    sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9]*\).*/\1/p' "$release" | head -1
    return
  fi
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

coffer_find_jdk() {
  local cand best="" best_v=0 v
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(coffer_java_major "$JAVA_HOME/bin/java")
    if [ "${v:-0}" -ge 21 ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for cand in /usr/lib/jvm/*/ ; do
    cand=${cand%/}
    [ -x "$cand/bin/javac" ] || continue
    v=$(coffer_java_major "$cand/bin/java")
    if [ "${v:-0}" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best=$cand; best_v=$v; fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  return 1
}

if ! JAVA_HOME=$(coffer_find_jdk); then
  echo "Coffer needs a JDK 21 or newer: none found in JAVA_HOME or under /usr/lib/jvm." >&2
  echo "Install one (e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin 21+) or set JAVA_HOME." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"

# Maven's own bundled guava warns about sun.misc.Unsafe on JDK 24+; this flag exists only there.
if [ "$(coffer_java_major "$JAVA_HOME/bin/java")" -ge 24 ]; then
  case " ${MAVEN_OPTS:-} " in
    *sun-misc-unsafe-memory-access*) ;;
    *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
  esac
fi
