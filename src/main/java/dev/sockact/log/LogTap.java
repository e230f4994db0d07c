package dev.sockact.log;

import java.util.function.BiConsumer;

/**
 * A hook that sees every log line at info or more severe, whatever the console threshold: sockactd keeps the
 * last lines of each unit for {@code sockctl status}. One tap at a time; it must be quick and must not log.
 */
public final class LogTap {
    private static volatile BiConsumer<System.Logger.Level, String> tap;

    private LogTap() {
        throw new AssertionError();
    }

    /** Installs {@code consumer} (or removes the tap with {@code null}). */
    public static void install(BiConsumer<System.Logger.Level, String> consumer) {
        tap = consumer;
    }

    static void offer(System.Logger.Level level, String message) {
        BiConsumer<System.Logger.Level, String> t = tap;
        if (t != null && message != null && level.getSeverity() >= System.Logger.Level.INFO.getSeverity()
                && level != System.Logger.Level.OFF) {
            t.accept(level, message);
        }
    }
}
