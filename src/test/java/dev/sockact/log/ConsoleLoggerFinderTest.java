package dev.sockact.log;

import org.junit.jupiter.api.Test;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

import static org.assertj.core.api.Assertions.assertThat;

/** Which logger a caller gets: the program's passes the threshold's levels, the JDK's only warnings and errors. */
class ConsoleLoggerFinderTest {
    private final ConsoleLoggerFinder finder = new ConsoleLoggerFinder();

    @Test
    void theProgramsOwnModuleGetsTheThresholdsLevels() {
        Logger logger = finder.getLogger("sockactd", ConsoleLoggerFinder.class.getModule());
        assertThat(logger.isLoggable(Level.ERROR)).isTrue();
        assertThat(logger.isLoggable(Level.WARNING)).isTrue();
        assertThat(logger.isLoggable(Level.INFO)).isEqualTo(levelFromEnvironment() >= 6);
    }

    @Test
    void theJdksLoggersPassWarningsAndErrorsOnly() {
        Logger runtime = finder.getLogger("java.lang.Runtime", Object.class.getModule());
        assertThat(runtime.isLoggable(Level.ERROR)).isTrue();
        assertThat(runtime.isLoggable(Level.WARNING)).isTrue();
        assertThat(runtime.isLoggable(Level.INFO)).isFalse();
        assertThat(runtime.isLoggable(Level.DEBUG)).isFalse();
    }

    private static int levelFromEnvironment() {
        String level = System.getenv("SOCKACT_LOG_LEVEL");
        return ConsoleLogger.threshold(level != null ? level : System.getenv("SYSTEMD_LOG_LEVEL"));
    }
}
