package dev.sockact.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The scheduler state of a process's threads, from /proc/PID/task/TID/stat: R running, S asleep, and so on. */
public final class ThreadStates {
    private ThreadStates() {
        throw new AssertionError();
    }

    /** Each thread of process {@code pid} by thread id: its name (comm) and state letter. */
    public static Map<Long, Entry> of(long pid) {
        Map<Long, Entry> threads = new LinkedHashMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    threads.put(Long.parseLong(task.getFileName().toString()),
                            new Entry(stat.substring(stat.indexOf('(') + 1, close), stat.charAt(close + 2)));
                } catch (IOException e) {
                    // the thread ended between the listing and the read (ENOENT, or ESRCH from the read)
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return threads;
    }

    /** One thread: its name and its state letter. */
    public record Entry(String name, char state) {
    }
}
