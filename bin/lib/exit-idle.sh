# The compilers of socket-proxyd's JVM, from its arguments. Sourced by bin/socket-proxyd, and copied into the
# package's /usr/bin/socket-proxyd by packaging/build-deb. Builtins only: it runs before every start.
#
# A proxy told to exit when idle (--exit-idle-time= other than infinity; the last one counts, as for the proxy) is
# started for a burst of clients: SOCKACT_EXIT_IDLE_JVM_OPTS (C1 alone) goes in front of SOCKACT_DEFAULT_JVM_OPTS,
# so it starts sooner and is warm at once. One that keeps running gets both compilers and, once C2 has compiled its
# loop, relays with less CPU. bench/RESULTS.md, session 15, has the measurements.
sockact_exit_idle=no
sockact_idle_value_next=no
for sockact_arg in "$@"; do
    if [ "$sockact_idle_value_next" = yes ]; then
        sockact_idle_value_next=no
        case $sockact_arg in infinity) sockact_exit_idle=no ;; *) sockact_exit_idle=yes ;; esac
        continue
    fi
    case $sockact_arg in
        --) break ;;
        --e*)
            # The option, or a prefix of it as getopt_long takes it (--exit-idle=5): no other begins with --e.
            case --exit-idle-time in
                "${sockact_arg%%=*}"*)
                    case $sockact_arg in
                        *=infinity) sockact_exit_idle=no ;;
                        *=*) sockact_exit_idle=yes ;;
                        *) sockact_idle_value_next=yes ;;
                    esac ;;
            esac ;;
    esac
done
if [ "$sockact_exit_idle" = yes ]; then
    SOCKACT_DEFAULT_JVM_OPTS="$SOCKACT_EXIT_IDLE_JVM_OPTS $SOCKACT_DEFAULT_JVM_OPTS"
fi
unset sockact_exit_idle sockact_idle_value_next sockact_arg
