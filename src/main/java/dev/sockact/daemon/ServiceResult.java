package dev.sockact.daemon;

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

    /** {@code current} unless it is success: the first failure wins. */
    public static ServiceResult firstFailure(ServiceResult current, ServiceResult next) {
        return current == SUCCESS ? next : current;
    }

    @Override
    public String toString() {
        return text;
    }
}
