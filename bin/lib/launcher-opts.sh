# Sourced by bin/build-aot-cache and packaging/build-deb: the JVM options of a launcher in bin/, read from its
# SOCKACT_DEFAULT_JVM_OPTS line, the one place that decides them. $1: the launcher's name; sockact_root: the tree.
sockact_launcher_opts() {
    sed -n 's/^SOCKACT_DEFAULT_JVM_OPTS="\(.*\)"$/\1/p' "$sockact_root/bin/$1"
}
