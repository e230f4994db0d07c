package dev.sockact.posix;

import dev.sockact.testing.ChildReport;
import dev.sockact.testing.FdIo;
import java.util.List;

/**
 * The report script ({@link ChildReport#SCRIPT}) started by one way of spawning, with {@code fds} at 3.. and its
 * stdout on a pipe read to the end: its pid, its exit status and what it reported having received.
 */
record ReportingChild(int pid, ExitStatus status, ChildReport report) {
    /** A way of spawning: posix_spawn with or without the trampoline, a spawn server. */
    interface Spawn {
        int spawn(SpawnRequest request) throws ErrnoException;
    }

    static ReportingChild run(Spawn spawn, List<Fd> fds, List<String> environment, boolean setListenPid)
            throws ErrnoException {
        try (Pipes.Pipe output = Pipes.pipe(0)) {
            SpawnRequest request = SpawnRequest.of("/bin/sh", List.of("sh", "-c", ChildReport.SCRIPT))
                    .passFds(fds).environment(environment).setListenPid(setListenPid)
                    .stdout(output.writeEnd()).build();
            int pid = spawn.spawn(request);
            try (Pidfd child = Pidfd.open(pid)) {
                output.writeEnd().close();
                String text = FdIo.readAllText(output.readEnd());
                return new ReportingChild(pid, child.await(), new ChildReport(text));
            }
        }
    }
}
