package dev.sockact.daemon;

import dev.sockact.unit.RestartPolicy;

/** Result= of a service unit (service_result_table): the first failure is kept. */
public enum ServiceResult {
    SUCCESS("success"), RESOURCES("resources"), PROTOCOL("protocol"), TIMEOUT("timeout"), EXIT_CODE("exit-code"),
    SIGNAL("signal"), CORE_DUMP("core-dump"), WATCHDOG("watchdog"), START_LIMIT_HIT("start-limit-hit");

    private final String text;

    ServiceResult(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** Which row of Restart='s table this end is in. */
    public RestartPolicy.Cause restartCause() {
        return switch (this) {
            case SUCCESS -> RestartPolicy.Cause.CLEAN;
            case EXIT_CODE -> RestartPolicy.Cause.UNCLEAN_EXIT_CODE;
            case SIGNAL, CORE_DUMP -> RestartPolicy.Cause.UNCLEAN_SIGNAL;
            case TIMEOUT -> RestartPolicy.Cause.TIMEOUT;
            case WATCHDOG -> RestartPolicy.Cause.WATCHDOG;
            case RESOURCES, PROTOCOL, START_LIMIT_HIT -> RestartPolicy.Cause.OTHER_FAILURE;
        };
    }

    /** {@code current} unless it is success: the first failure wins. */
    public static ServiceResult firstFailure(ServiceResult current, ServiceResult next) {
        return current == SUCCESS ? next : current;
    }

    @Override
    public String toString() {
        return text;
    }
}
