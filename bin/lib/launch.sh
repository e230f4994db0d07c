# Shared by every launcher in bin/: finds a JDK 25 or newer and runs one
# sockact entry point on the module path, with native access granted to the
# dev.sockact module only. Sourced with SOCKACT_MAIN set to the main class.
# Builtins only on the common path: every fork here delays a socket-activated start.

# sockact_self: the launcher's real path, set by the launcher that sources this file.
# The absolute, symlink-free root: the AOT cache only maps for the exact module path it was built with.
sockact_cwd=$PWD
cd -P -- "${sockact_self%/*}/.." || exit 1
sockact_root=$PWD
cd -- "$sockact_cwd" 2>/dev/null || cd /

. "$sockact_root/bin/lib/jdk.sh"

# The cache trained for this launcher: sockact_aot_name names it (bin/sockactd: sockactd), else the tools' one.
sockact_aot="$sockact_root/target/aot/${sockact_aot_name:-sockact}.aot"
sockact_built_with_file="$sockact_aot.jdk"
if ! sockact_find_jdk; then
    echo "${0##*/}: no JDK 25 or newer found (looked at \$JAVA_HOME, the JDK the build used, java on PATH, /usr/lib/jvm, /usr/java, /opt/java, /opt/jdk*, ~/.sdkman, ~/.jdks)" >&2
    exit 1
fi

sockact_jar="$sockact_root/target/sockact.jar"
if [ ! -r "$sockact_jar" ]; then
    echo "${0##*/}: $sockact_jar is missing; build it first: ./mvnw -q -B -DskipTests package" >&2
    exit 1
fi

# Short-lived tools start fastest with C1 only and the serial GC; a launcher that runs
# something long-lived sets SOCKACT_DEFAULT_JVM_OPTS; a user can override with SOCKACT_JVM_OPTS.
sockact_run() {
    exec "$sockact_jdk/bin/java" ${SOCKACT_JVM_OPTS:-${SOCKACT_DEFAULT_JVM_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}} \
        -XX:-UsePerfData --enable-native-access=dev.sockact \
        -p "$sockact_jar:$sockact_root/target/lib/picocli.jar" "$@"
}

# The AOT cache is only valid for the JDK that built it; use it when it matches.
sockact_built_with=
if [ -r "$sockact_aot.jdk" ]; then
    IFS= read -r sockact_built_with < "$sockact_aot.jdk"
fi
if [ -r "$sockact_aot" ] && [ "$sockact_built_with" = "$sockact_jdk" ]; then
    sockact_run -XX:AOTCache="$sockact_aot" -m "dev.sockact/$SOCKACT_MAIN" "$@"
else
    sockact_run -m "dev.sockact/$SOCKACT_MAIN" "$@"
fi
