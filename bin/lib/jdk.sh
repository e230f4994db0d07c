# Finds a JDK 25 or newer; sourced by the launchers and by build-aot-cache.

# Prints the major version of the JDK at $1 (from its release file), or nothing.
sockact_jdk_major() {
    [ -x "$1/bin/java" ] && [ -r "$1/release" ] || return 0
    sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1
}

# $JAVA_HOME, then java on PATH, then the usual install folders.
sockact_find_jdk() {
    for home in "${JAVA_HOME:-}" \
            "$(command -v java >/dev/null 2>&1 && dirname "$(dirname "$(readlink -f "$(command -v java)")")")" \
            /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
        [ -n "$home" ] || continue
        major=$(sockact_jdk_major "$home")
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            printf '%s\n' "$home"
            return 0
        fi
    done
    return 1
}

