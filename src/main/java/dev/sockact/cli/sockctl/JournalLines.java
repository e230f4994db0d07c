package dev.sockact.cli.sockctl;

import dev.sockact.ctl.UnitStatus.LogLine;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A unit's kept line as journalctl's short output (and systemctl status) prints it:
 * {@code Dec 02 14:00:00 host sshd[123]: message}. A service's own output carries its identifier and pid; a line
 * sockactd logged is sockactd's, under the daemon's pid (where systemctl shows {@code systemd[1]}).
 */
final class JournalLines {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MMM dd HH:mm:ss", Locale.ROOT);

    private final String host = hostName();
    private final long daemonPid;

    JournalLines(long daemonPid) {
        this.daemonPid = daemonPid;
    }

    String format(LogLine line) {
        String time = TIME.format(Instant.ofEpochMilli(line.timeMillis()).atZone(ZoneId.systemDefault()));
        return time + " " + host + " " + source(line) + ": " + line.text();
    }

    /** {@code IDENTIFIER[PID]}, or sockactd's own. */
    private String source(LogLine line) {
        if (line.identifier() == null) {
            return "sockactd[" + daemonPid + "]";
        }
        return line.pid() > 0 ? line.identifier() + "[" + line.pid() + "]" : line.identifier();
    }

    private static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return h.isEmpty() ? InetAddress.getLocalHost().getHostName() : h;
        } catch (IOException | RuntimeException e) {
            return "localhost";
        }
    }
}
