package dev.sockact.posix;

import java.util.ArrayList;
import java.util.List;

/**
 * The standby program (src/main/c/standby.c), in a memfd made once: a service's next main process that waits for
 * a byte on a descriptor, then execs the service's program in its own place. {@link #wrap} turns a spawn of that
 * program into a spawn of the standby.
 */
public final class StandbyProgram {
    private static final ExecutableMemfd.BuiltIn PROGRAM = new ExecutableMemfd.BuiltIn("standby", "sockact-standby");

    private StandbyProgram() {
        throw new AssertionError();
    }

    /** Whether this build has the program and a memfd could be made for it. */
    public static boolean available() {
        return path() != null;
    }

    /**
     * {@code request} as a standby: the standby's program with {@code go} after the request's descriptors, told
     * their number, with the request's program and argv; the same environment, stdio, process group, directory and
     * LISTEN_PID. Null where there is no standby program.
     */
    public static SpawnRequest wrap(SpawnRequest request, Fd go) {
        String program = path();
        if (program == null) {
            return null;
        }
        List<String> argv = new ArrayList<>(request.argv().size() + 3);
        argv.add("sockact-standby");
        argv.add(Integer.toString(3 + request.passFds().size()));
        argv.add(request.program());
        argv.addAll(request.argv());
        List<Fd> fds = new ArrayList<>(request.passFds());
        fds.add(go);
        return new SpawnRequest(program, argv, request.environment(), fds, request.stdin(), request.stdout(),
                request.stderr(), request.setListenPid(), request.newProcessGroup(), request.workingDirectory());
    }

    private static String path() {
        return PROGRAM.path();
    }
}
