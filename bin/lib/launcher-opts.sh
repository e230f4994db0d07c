# Sourced by bin/build-aot-cache and packaging/build-deb. sockact_root: the tree.

# The value of a launcher's NAME="..." line in bin/, the one place that decides it. $1: the launcher's name; $2: the
# line (default SOCKACT_DEFAULT_JVM_OPTS, its JVM options; bin/socket-proxyd also has SOCKACT_EXIT_IDLE_JVM_OPTS,
# what bin/lib/exit-idle.sh puts in front of them when the proxy is told to exit when idle).
sockact_launcher_opts() {
    sed -n "s/^${2:-SOCKACT_DEFAULT_JVM_OPTS}=\"\\(.*\\)\"\$/\\1/p" "$sockact_root/bin/$1"
}

# The JVM options an AOT cache's training runs under. $1: the cache. sockactd.aot: the daemon's own (trained with both
# compilers, a cache left the C1-only daemon slower on its activation path for dozens of activations: wake-up to
# spawn request 1.0 ms against 0.25 ms, median of the 6th to 33rd, bench/RESULTS-activation.md, session 12).
# sockact.aot, which three tools share: their common serial GC, with both compilers.
sockact_training_opts() {
    case $1 in
        sockactd) sockact_launcher_opts sockactd ;;
        *) echo "-XX:+UseSerialGC" ;;
    esac
}
