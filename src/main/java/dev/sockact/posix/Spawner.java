package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts children with posix_spawn(3), because ProcessBuilder cannot hand a
 * child descriptors above 2 (the JDK's childproc.c marks them all CLOEXEC).
 *
 * <p>The child gets: {@code passFds} at 3.., stdio as asked, nothing else
 * (posix_spawn_file_actions_addclosefrom_np), an empty signal mask, and every
 * signal at its default disposition (an ignored SIGPIPE must not leak into a
 * service). glibc's posix_spawn reports exec failure as its return value, so
 * "no such program" is an error here, not an exit status 127.
 */
public final class Spawner {
    private static final short POSIX_SPAWN_SETPGROUP = 0x02;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;

    /** Generous upper bounds of glibc's opaque structs (80, 336 and 128 bytes on x86_64). */
    private static final long FILE_ACTIONS_SIZE = 512;
    private static final long ATTR_SIZE = 1024;
    private static final long SIGSET_SIZE = 128;

    /**
     * Sets LISTEN_PID to the child's own pid, which only the child knows before
     * exec. The shell replaces itself with the program: same pid, same fds.
     * Used where {@link ListenPidTrampoline}, which does the same for a
     * fraction of the cost, cannot be.
     */
    static final String LISTEN_PID_TRAMPOLINE = "LISTEN_PID=$$; export LISTEN_PID; exec \"$0\" \"$@\"";

    private Spawner() {
        throw new AssertionError();
    }

    /** In {@link LibcCall}'s shape: the stub syscall(2) has linked already serves them all. */
    private static final class Fns {
        static final LibcCall SPAWN = LibcCall.of("posix_spawn");
        static final LibcCall FA_INIT = LibcCall.of("posix_spawn_file_actions_init");
        static final LibcCall FA_DESTROY = LibcCall.of("posix_spawn_file_actions_destroy");
        static final LibcCall FA_DUP2 = LibcCall.of("posix_spawn_file_actions_adddup2");
        static final LibcCall FA_CLOSEFROM = LibcCall.of("posix_spawn_file_actions_addclosefrom_np");
        static final LibcCall FA_CHDIR = LibcCall.of("posix_spawn_file_actions_addchdir_np");
        static final LibcCall ATTR_INIT = LibcCall.of("posix_spawnattr_init");
        static final LibcCall ATTR_DESTROY = LibcCall.of("posix_spawnattr_destroy");
        static final LibcCall ATTR_FLAGS = LibcCall.of("posix_spawnattr_setflags");
        static final LibcCall ATTR_SIGMASK = LibcCall.of("posix_spawnattr_setsigmask");
        static final LibcCall ATTR_SIGDEFAULT = LibcCall.of("posix_spawnattr_setsigdefault");
        static final LibcCall ATTR_PGROUP = LibcCall.of("posix_spawnattr_setpgroup");
        static final LibcCall SIGEMPTYSET = LibcCall.of("sigemptyset");
        static final LibcCall SIGFILLSET = LibcCall.of("sigfillset");
    }

    /**
     * Starts the child and returns its pid: through the {@link SpawnServer} when one runs, else as {@link #spawnHere}.
     * The child gets none of the calling thread's own settings (nice level, scheduling, namespaces...).
     */
    public static int spawn(SpawnRequest request) throws ErrnoException {
        SpawnServer server = SpawnServer.running();
        if (server != null) {
            int pid = server.spawn(request);
            if (pid != SpawnServer.NOT_TAKEN) {
                return pid;
            }
        }
        return spawnHere(request);
    }

    /**
     * Starts the child with posix_spawn from the calling thread, whose per-task settings (nice level, scheduling,
     * affinity, namespaces) it inherits, and returns its pid.
     */
    public static int spawnHere(SpawnRequest request) throws ErrnoException {
        return spawn(request, true);
    }

    /**
     * With LISTEN_PID the program is exec'd by the trampoline or the shell, where a missing one would be their exit
     * status 127: checked first (an absolute path; a bare name is the shell's to look up), so that it fails as the
     * exec it is, as the spawn server's child reports it.
     */
    private static void checkExecutable(String program) throws ErrnoException {
        if (!program.startsWith("/")) {
            return;
        }
        Errno refused = PosixFiles.execRefusal(program);
        if (refused != null) {
            throw new ErrnoException("posix_spawn", refused.number(), program);
        }
    }

    /**
     * {@code trampolineAllowed} false: LISTEN_PID through the shell, the fallback (for tests of it), which sets no
     * LISTEN_PIDFDID.
     */
    static int spawn(SpawnRequest request, boolean trampolineAllowed) throws ErrnoException {
        if (request.setListenPid()) {
            checkExecutable(request.program());
        }
        List<Fd> temporaries = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            int passCount = request.passFds().size();
            // Every source is above the target range (moved there if it is not), so that placing fd 3 can
            // never overwrite a source still waiting to be placed (and dup2 onto itself, which would keep
            // CLOEXEC, cannot happen).
            int firstFree = 3 + passCount;
            MemorySegment actions = arena.allocate(FILE_ACTIONS_SIZE, 16);
            check(Fns.FA_INIT.call(actions.address()), "posix_spawn_file_actions_init");
            MemorySegment attributes = arena.allocate(ATTR_SIZE, 16);
            check(Fns.ATTR_INIT.call(attributes.address()), "posix_spawnattr_init");
            try {
                placeStdio(request.stdin(), 0, firstFree, actions, temporaries);
                placeStdio(request.stdout(), 1, firstFree, actions, temporaries);
                placeStdio(request.stderr(), 2, firstFree, actions, temporaries);
                for (int i = 0; i < passCount; i++) {
                    int source = aboveTargets(request.passFds().get(i), firstFree, temporaries);
                    check(Fns.FA_DUP2.call(actions.address(), source, 3 + i), "posix_spawn_file_actions_adddup2");
                }
                check(Fns.FA_CLOSEFROM.call(actions.address(), 3 + passCount), "posix_spawn_file_actions_addclosefrom_np");
                if (request.workingDirectory() != null) {
                    check(Fns.FA_CHDIR.call(actions.address(), arena.allocateFrom(request.workingDirectory()).address()),
                            "posix_spawn_file_actions_addchdir_np");
                }

                MemorySegment empty = arena.allocate(SIGSET_SIZE, 8);
                MemorySegment all = arena.allocate(SIGSET_SIZE, 8);
                check(Fns.SIGEMPTYSET.call(empty.address()), "sigemptyset");
                check(Fns.SIGFILLSET.call(all.address()), "sigfillset");
                check(Fns.ATTR_SIGMASK.call(attributes.address(), empty.address()), "posix_spawnattr_setsigmask");
                check(Fns.ATTR_SIGDEFAULT.call(attributes.address(), all.address()), "posix_spawnattr_setsigdefault");
                short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
                if (request.newProcessGroup()) {
                    flags |= POSIX_SPAWN_SETPGROUP;
                    check(Fns.ATTR_PGROUP.call(attributes.address(), 0), "posix_spawnattr_setpgroup");
                }
                check(Fns.ATTR_FLAGS.call(attributes.address(), flags), "posix_spawnattr_setflags");

                MemorySegment pid = arena.allocate(INT);
                String trampoline = trampolineAllowed && request.setListenPid() && request.program().startsWith("/")
                        ? ListenPidTrampoline.path() : null;
                if (trampoline != null) {
                    List<String> argv = new ArrayList<>(List.of(request.program()));
                    argv.addAll(request.argv());
                    List<String> environment = new ArrayList<>(List.of(ListenPidTrampoline.PLACEHOLDER));
                    if (Pidfd.hasUniqueInodes()) {
                        environment.add(ListenPidTrampoline.PIDFD_ID_PLACEHOLDER);
                    }
                    environment.addAll(request.environmentWithoutListenPid());
                    int r = Fns.SPAWN.call(pid.address(), arena.allocateFrom(trampoline).address(), actions.address(),
                            attributes.address(), stringArray(arena, argv).address(),
                            stringArray(arena, environment).address());
                    if (r == 0) {
                        return pid.get(INT, 0);
                    }
                    // Errors of the program's own exec come from inside the trampoline (status 127). These are the
                    // trampoline's: a kernel or /proc that will not exec it; the shell still works. Others (EAGAIN,
                    // ENOMEM) are this spawn's, and reported.
                    if (r != Errno.EACCES.number() && r != Errno.EPERM.number() && r != Errno.ENOENT.number()
                            && r != Errno.ENOEXEC.number()) {
                        throw new ErrnoException("posix_spawn", r, request.program());
                    }
                    ListenPidTrampoline.markUnusable();
                }
                List<String> argv = request.argv();
                String path = request.program();
                if (request.setListenPid()) {
                    List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", LISTEN_PID_TRAMPOLINE, request.program()));
                    wrapped.addAll(argv.subList(1, argv.size()));
                    argv = wrapped;
                    path = "/bin/sh";
                }
                int r = Fns.SPAWN.call(pid.address(), arena.allocateFrom(path).address(), actions.address(),
                        attributes.address(), stringArray(arena, argv).address(),
                        stringArray(arena, request.environment()).address());
                if (r != 0) {
                    throw new ErrnoException("posix_spawn", r, request.program());
                }
                return pid.get(INT, 0);
            } finally {
                Fns.FA_DESTROY.call(actions.address());
                Fns.ATTR_DESTROY.call(attributes.address());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        } finally {
            temporaries.forEach(Fd::close);
        }
    }

    private static void placeStdio(Fd source, int target, int firstFree, MemorySegment actions, List<Fd> temporaries)
            throws ErrnoException {
        if (source == null) {
            return;
        }
        check(Fns.FA_DUP2.call(actions.address(), aboveTargets(source, firstFree, temporaries), target),
                "posix_spawn_file_actions_adddup2");
    }

    /**
     * {@code source}'s number if it is above the targets already (as a daemon's fds are), so placing one never
     * overwrites another; else a copy above them, closed after the spawn.
     */
    private static int aboveTargets(Fd source, int firstFree, List<Fd> temporaries) throws ErrnoException {
        if (source.fd() >= firstFree) {
            return source.fd();
        }
        Fd moved = Io.duplicate(source.fd(), firstFree);
        temporaries.add(moved);
        return moved.fd();
    }

    /** A NULL-terminated char*[] in {@code arena}. */
    static MemorySegment stringArray(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ValueLayout.ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    private static void check(int result, String call) throws ErrnoException {
        if (result != 0) {
            throw new ErrnoException(call, result, null);
        }
    }
}
