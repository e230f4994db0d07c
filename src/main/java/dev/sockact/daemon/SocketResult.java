package dev.sockact.daemon;

/** Result= of a socket unit (socket_result_table): the first failure is kept. */
public enum SocketResult {
    SUCCESS("success"), RESOURCES("resources"), TIMEOUT("timeout"), EXIT_CODE("exit-code"), SIGNAL("signal"),
    CORE_DUMP("core-dump"), START_LIMIT_HIT("start-limit-hit"), TRIGGER_LIMIT_HIT("trigger-limit-hit"),
    SERVICE_START_LIMIT_HIT("service-start-limit-hit");

    private final String text;

    SocketResult(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** {@code current} unless it is success: the first failure wins. */
    public static SocketResult firstFailure(SocketResult current, SocketResult next) {
        return current == SUCCESS ? next : current;
    }

    @Override
    public String toString() {
        return text;
    }
}
