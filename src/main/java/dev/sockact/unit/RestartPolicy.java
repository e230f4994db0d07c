package dev.sockact.unit;

/** Restart=: after which ends of the service it is started again (service_shall_restart()). */
public enum RestartPolicy {
    NO("no"),
    ON_SUCCESS("on-success"),
    ON_FAILURE("on-failure"),
    ON_ABNORMAL("on-abnormal"),
    ON_WATCHDOG("on-watchdog"),
    ON_ABORT("on-abort"),
    ALWAYS("always");

    /** How a service ended, in the rows of systemd.service(5)'s table "Exit causes and the effect of Restart=". */
    public enum Cause {
        /** A clean exit code or signal (SuccessExitStatus= counts). */
        CLEAN,
        /** An unclean exit code. */
        UNCLEAN_EXIT_CODE,
        /** Killed by a signal that is not clean, with or without a core dump. */
        UNCLEAN_SIGNAL,
        /** An operation timed out. */
        TIMEOUT,
        /** The watchdog fired. */
        WATCHDOG,
        /** Any other failure (resources, protocol): only on-failure and always restart. */
        OTHER_FAILURE
    }

    private final String text;

    RestartPolicy(String text) {
        this.text = text;
    }

    /** The unit-file word ("on-failure"). */
    public String text() {
        return text;
    }

    /** Whether a service that ended this way is restarted. */
    public boolean restartsAfter(Cause cause) {
        return switch (this) {
            case NO -> false;
            case ALWAYS -> true;
            case ON_SUCCESS -> cause == Cause.CLEAN;
            case ON_FAILURE -> cause != Cause.CLEAN;
            case ON_ABNORMAL -> cause == Cause.UNCLEAN_SIGNAL || cause == Cause.TIMEOUT || cause == Cause.WATCHDOG;
            case ON_WATCHDOG -> cause == Cause.WATCHDOG;
            case ON_ABORT -> cause == Cause.UNCLEAN_SIGNAL;
        };
    }

    /** Whether a clean end restarts (always, on-success): not allowed for Type=oneshot. */
    public boolean restartsAfterSuccess() {
        return restartsAfter(Cause.CLEAN);
    }
}
