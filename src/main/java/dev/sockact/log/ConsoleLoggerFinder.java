package dev.sockact.log;

/**
 * Routes every {@link System.Logger} to stderr, one plain line per message as systemd's tools write them. When
 * stderr is the journal (JOURNAL_STREAM is set) or SOCKACT_LOG_PREFIX=1 asks for it, lines carry a syslog priority
 * prefix ({@code <6>}) so the journal keeps the level. The threshold comes from SOCKACT_LOG_LEVEL, else
 * SYSTEMD_LOG_LEVEL (the variable systemd's tools read); "info" by default. It applies to the program's own
 * loggers, those asked for from this module; the JDK's loggers (java.lang.Runtime logs every exit at debug, with a
 * stack trace) pass warnings and errors only.
 */
public final class ConsoleLoggerFinder extends System.LoggerFinder {
    private static final int THRESHOLD =
            ConsoleLogger.threshold(firstSet(System.getenv("SOCKACT_LOG_LEVEL"), System.getenv("SYSTEMD_LOG_LEVEL")));
    private static final boolean PREFIX =
            System.getenv("JOURNAL_STREAM") != null || "1".equals(System.getenv("SOCKACT_LOG_PREFIX"));

    private final ConsoleLogger program = new ConsoleLogger(THRESHOLD, PREFIX, true);
    private final ConsoleLogger jdk = new ConsoleLogger(THRESHOLD, PREFIX, false);

    /**
     * The program's logger for a caller in this module (dev.sockact, or the unnamed module on the class path, as
     * in the tests), the warnings-only logger for any other module.
     */
    @Override
    public System.Logger getLogger(String name, Module module) {
        return module == ConsoleLoggerFinder.class.getModule() ? program : jdk;
    }

    private static String firstSet(String a, String b) {
        return a != null ? a : b;
    }
}
