package dev.sockact.cli.sockctl;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * A unit's log line as journalctl's short output (and systemctl status) prints it:
 * {@code Dec 02 14:00:00 host sshd[123]: message}. A service's own output carries its identifier and pid; a line
 * sockactd logged is sockactd's, under the daemon's pid.
 */
final class JournalLines {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MMM dd HH:mm:ss", Locale.ROOT);

    private final String host = hostName();
    private final String daemonPid;

    JournalLines(Object daemonPid) {
        this.daemonPid = String.valueOf(daemonPid);
    }

    String format(Map<?, ?> entry) {
        long millis = entry.get("timeMillis") instanceof Long t ? t : 0;
        String time = TIME.format(Instant.ofEpochMilli(millis).atZone(ZoneId.systemDefault()));
        return time + " " + host + " " + source(entry) + ": " + entry.get("text");
    }

    /** {@code IDENTIFIER[PID]}, or sockactd's own. */
    private String source(Map<?, ?> entry) {
        if (entry.get("identifier") instanceof String identifier) {
            return entry.get("pid") instanceof Long pid && pid > 0 ? identifier + "[" + pid + "]" : identifier;
        }
        return "sockactd[" + daemonPid + "]";
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
