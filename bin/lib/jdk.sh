# Finds a JDK 25 or newer; sourced by the launchers and by build-aot-cache.
# Start-up is on the critical path of socket activation, so this uses shell
# builtins only, except one readlink for a `java` found on PATH.

# Succeeds when $1 is a JDK home of version 25 or newer (read from its release file).
sockact_is_jdk25() {
    [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -r "$1/release" ] || return 1
    sockact_major=
    while IFS= read -r sockact_line; do
        case $sockact_line in
            JAVA_VERSION=*)
                sockact_line=${sockact_line#JAVA_VERSION=}
                sockact_line=${sockact_line#\"}
                sockact_major=${sockact_line%%[!0-9]*}
                break ;;
        esac
    done < "$1/release"
    [ -n "$sockact_major" ] && [ "$sockact_major" -ge 25 ]
}

# Sets sockact_jdk: $JAVA_HOME, then the JDK named in $sockact_built_with_file (the launchers pass the one the
# AOT cache was built with: its cache maps, and finding it forks nothing), then java on PATH (a readlink fork),
# then the usual folders.
sockact_find_jdk() {
    sockact_jdk=
    if sockact_is_jdk25 "${JAVA_HOME:-}"; then
        sockact_jdk=$JAVA_HOME
        return 0
    fi
    if [ -n "${sockact_built_with_file:-}" ] && [ -r "$sockact_built_with_file" ]; then
        IFS= read -r sockact_built_with < "$sockact_built_with_file"
        if sockact_is_jdk25 "$sockact_built_with"; then
            sockact_jdk=$sockact_built_with
            return 0
        fi
    fi
    if sockact_path_java=$(command -v java 2>/dev/null) && [ -n "$sockact_path_java" ]; then
        sockact_path_java=$(readlink -f "$sockact_path_java")
        sockact_path_java=${sockact_path_java%/bin/java}
        if sockact_is_jdk25 "$sockact_path_java"; then
            sockact_jdk=$sockact_path_java
            return 0
        fi
    fi
    for sockact_home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* \
            "${HOME:-/nonexistent}"/.sdkman/candidates/java/* "${HOME:-/nonexistent}"/.jdks/*; do
        if sockact_is_jdk25 "$sockact_home"; then
            sockact_jdk=$sockact_home
            return 0
        fi
    done
    return 1
}
