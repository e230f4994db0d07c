package dev.sockact.log;

import java.io.PrintStream;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * One line per message on stderr, optionally with a {@code <N>} syslog priority prefix. The program's own logger
 * passes what the threshold passes and feeds {@link LogTap}; the JDK's (see {@link ConsoleLoggerFinder}) passes
 * warnings and errors only, whatever the threshold, and never a stack trace.
 */
final class ConsoleLogger implements System.Logger {
    /** The JDK's loggers stop at warnings (priority 4): their debug detail is not the program's. */
    private static final int JDK_CEILING = 4;

    private static volatile int threshold = 6;

    private final boolean prefix;
    private final boolean program;
    private final int ceiling;

    /** @param program whether this is the program's own logger, not the JDK's */
    ConsoleLogger(int initialThreshold, boolean prefix, boolean program) {
        threshold = initialThreshold;
        this.prefix = prefix;
        this.program = program;
        this.ceiling = program ? 7 : JDK_CEILING;
    }

    /** Changes the threshold at run time (a --log-level option): a syslog priority, 0..7. */
    static void setThreshold(int priority) {
        threshold = priority;
    }

    /** A syslog priority from a level name ("debug") or number; info when unset or unknown. */
    static int threshold(String level) {
        if (level == null) {
            return 6;
        }
        return switch (level.trim().toLowerCase(Locale.ROOT)) {
            case "emerg", "0" -> 0;
            case "alert", "1" -> 1;
            case "crit", "2" -> 2;
            case "err", "error", "3" -> 3;
            case "warning", "warn", "4" -> 4;
            case "notice", "5" -> 5;
            case "debug", "7", "trace" -> 7;
            default -> 6;
        };
    }

    private static int priority(Level level) {
        return switch (level) {
            case ERROR -> 3;
            case WARNING -> 4;
            case INFO -> 6;
            case DEBUG, TRACE, ALL -> 7;
            case OFF -> -1;
        };
    }

    @Override
    public String getName() {
        return "sockact";
    }

    @Override
    public boolean isLoggable(Level level) {
        int p = priority(level);
        return p >= 0 && p <= Math.min(threshold, ceiling);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        if (program) {
            LogTap.offer(level, message);
        }
        if (!isLoggable(level)) {
            return;
        }
        StringBuilder line = new StringBuilder();
        if (prefix) {
            line.append('<').append(priority(level)).append('>');
        }
        line.append(message);
        // A stack trace is for debugging; at other levels the message must say it all.
        if (thrown != null && Math.min(threshold, ceiling) >= 7) {
            line.append(": ").append(thrown);
            for (StackTraceElement e : thrown.getStackTrace()) {
                line.append(System.lineSeparator()).append("\tat ").append(e);
            }
        }
        PrintStream err = System.err;
        err.println(line);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level) || program && level.getSeverity() >= Level.INFO.getSeverity()) {
            log(level, bundle, params == null || params.length == 0 ? format : MessageFormat.format(format, params),
                    (Throwable) null);
        }
    }

    @Override
    public void log(Level level, Supplier<String> supplier) {
        if (isLoggable(level)) {
            log(level, null, supplier.get(), (Throwable) null);
        }
    }
}
