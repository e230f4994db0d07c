package dev.sockact.log;

import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/sockactd at debug level (DaemonProcess sets SOCKACT_LOG_LEVEL=debug) logs its own debug lines but none of
 * the JDK's: java.lang.Runtime logs every exit at debug with a stack trace.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DebugShutdownIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    @Test
    void aStopAtDebugLevelEndsWithoutTheJdksExitTrace() throws Exception {
        Files.writeString(daemons.units().resolve("d.socket"), "[Socket]\nListenStream=127.0.0.1:" + freeTcpPort() + "\n");
        Files.writeString(daemons.units().resolve("d.service"), "[Service]\nExecStart=/bin/true\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on d.socket.");

        String log = d.terminateAndReadLog();

        assertThat(log).contains("Shutting down.").contains("Changed");
        assertThat(log).doesNotContain("java.lang.Throwable").doesNotContain("Runtime.exit");
    }
}
