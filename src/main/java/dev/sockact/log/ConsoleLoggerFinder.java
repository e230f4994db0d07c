package dev.sockact.log;

/**
 * Routes every {@link System.Logger} of the program to stderr, one plain line
 * per message as systemd's tools write them. When stderr is the journal
 * (JOURNAL_STREAM is set) or SOCKACT_LOG_PREFIX=1 asks for it, lines carry a
 * syslog priority prefix ({@code <6>}) so the journal keeps the level. The
 * threshold comes from SYSTEMD_LOG_LEVEL (the variable systemd's tools read),
 * or SOCKACT_LOG_LEVEL; "info" by default.
 */
public final class ConsoleLoggerFinder extends System.LoggerFinder {
    private final ConsoleLogger logger = new ConsoleLogger(
            ConsoleLogger.threshold(firstSet(System.getenv("SOCKACT_LOG_LEVEL"), System.getenv("SYSTEMD_LOG_LEVEL"))),
            System.getenv("JOURNAL_STREAM") != null || "1".equals(System.getenv("SOCKACT_LOG_PREFIX")));

    @Override
    public System.Logger getLogger(String name, Module module) {
        return logger;
    }

    private static String firstSet(String a, String b) {
        return a != null ? a : b;
    }
}
