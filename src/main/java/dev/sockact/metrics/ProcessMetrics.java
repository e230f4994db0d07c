package dev.sockact.metrics;

import dev.sockact.posix.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's own figures under the names Prometheus's client libraries use ({@code process_*}), read from
 * /proc at scrape time. A figure that cannot be read is left out of the scrape, not reported as zero.
 */
public final class ProcessMetrics implements MetricsSource {
    /** USER_HZ: the unit of /proc's CPU times, 100 on every Linux architecture since 2.6. */
    private static final double CLOCK_TICKS = 100.0;
    private static final long PAGE_SIZE = 4096;

    @Override
    public void collect(Exposition out) {
        String[] stat = stat();
        if (stat != null) {
            // Fields after the command (which may hold spaces) start at state, field 3 of proc(5).
            double cpu = (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) / CLOCK_TICKS;
            out.counter("process_cpu_seconds_total", "User and system CPU time spent in seconds.", cpu);
            long bootTime = bootTime();
            if (bootTime > 0) {
                out.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                        bootTime + Long.parseLong(stat[19]) / CLOCK_TICKS);
            }
            out.gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                    Long.parseLong(stat[21]) * PAGE_SIZE);
            out.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", Long.parseLong(stat[20]));
        }
        long fds = openFds();
        if (fds >= 0) {
            out.gauge("process_open_fds", "Number of open file descriptors.", fds);
        }
        long max = Processes.openFilesLimit();
        if (max >= 0) {
            out.gauge("process_max_fds", "Maximum number of open file descriptors.", max);
        }
    }

    /** /proc/self/stat from the state field on, or null. */
    private static String[] stat() {
        try {
            String text = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
            return text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long bootTime() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("btime ")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long openFds() {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path ignored : fds) {
                n++;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return n - 1;   // the directory stream's own descriptor
    }
}
