package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;
import static dev.sockact.posix.Layouts.LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * sockactd's spawn server: a small native process ({@code src/main/c/spawn-server.c}, built into the jar) that
 * starts children for it. posix_spawn from the JVM costs 0.6 ms to several ms (its vfork child waits behind the
 * JVM's threads, in the JVM's large address space) and needs a second exec for LISTEN_PID; the server vforks from a
 * few hundred KiB, its child writes LISTEN_PID itself and execs once, and {@code CLONE_PARENT} makes the child
 * ours: watched, reaped and signalled as if we had spawned it.
 *
 * <p>The child gets what {@link Spawner#spawnHere} gives it, except the calling thread's own settings (nice level,
 * scheduling, affinity, namespaces): it is a copy of the server, which was a copy of us when {@link #start} ran. So
 * {@link Spawner#spawn} uses the server only for requests that need none of those; the daemon's spawns with
 * task settings or namespaces go through {@link Spawner#spawnHere}. A request beyond the server's bounds (its
 * message size, {@link #MAX_REQUEST}) is spawned here too.
 *
 * <p>If the server is gone (killed), the first spawn that finds out logs it once and every later one is spawned
 * here. A request already sent when it went is reported as failed, never retried: the server may have started it.
 */
public final class SpawnServer {
    private static final System.Logger LOG = System.getLogger("sockactd");

    /** The protocol of spawn-server.c: one message per request, one reply (pid, errno) per message. */
    private static final int VERSION = 1;
    private static final int FLAG_LISTEN_PID = 0x1;
    private static final int FLAG_LISTEN_PIDFDID = 0x2;
    private static final int FLAG_NEW_PROCESS_GROUP = 0x4;
    private static final int FLAG_STDIN = 0x8;
    private static final int FLAG_STDOUT = 0x10;
    private static final int FLAG_STDERR = 0x20;
    private static final int HEADER_SIZE = 5 * 4;
    /** spawn-server.c's bounds. */
    static final int MAX_REQUEST = 192 * 1024;
    private static final int MAX_FDS = 253;
    private static final int MAX_STRINGS = 8192;

    /** {@link #spawn}'s answer when the request is for {@link Spawner#spawnHere} instead. */
    static final int NOT_TAKEN = -1;

    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final long MSGHDR_SIZE = 56;
    private static final long CMSG_HEADER = 16;

    private static volatile SpawnServer running;
    /** Where {@link #program} put the executable: "" when there is none. */
    private static String programPath;

    private final ReentrantLock lock = new ReentrantLock();
    private final Fd control;
    private final int pid;

    private SpawnServer(Fd control, int pid) {
        this.control = control;
        this.pid = pid;
    }

    /**
     * Starts the server; from then on {@link Spawner#spawn} goes through it. Call it early (before threads change
     * the umask or their own settings): its children inherit what this process had at this moment. Does nothing if
     * it runs already. Returns false, with nothing started, where it cannot run: no server in this build (no C
     * compiler), no memfd, or a kernel that will not exec it.
     */
    public static synchronized boolean start() {
        if (running == null) {
            running = launch();
        }
        return running != null;
    }

    /** A new server, or null where it cannot run; {@link #start} makes one the process's. */
    static SpawnServer launch() {
        String path = program();
        if (path == null) {
            return null;
        }
        try {
            Fd[] pair = Sockets.socketPair(Sockets.SOCK_SEQPACKET);
            try (Fd serverEnd = pair[1]) {
                // Its own process group: a terminal's Ctrl-C is for the daemon, which then still spawns its stop
                // commands through the server.
                int pid = Spawner.spawnHere(SpawnRequest.of(path, List.of("sockact-spawn-server"))
                        .passFds(List.of(serverEnd)).newProcessGroup(true).build());
                return new SpawnServer(pair[0], pid);
            } catch (ErrnoException e) {
                pair[0].close();
                LOG.log(Level.DEBUG, () -> "Not using the spawn server: " + e.getMessage());
                return null;
            }
        } catch (ErrnoException e) {
            return null;
        }
    }

    /** The server's executable in a memfd, made once; null when this build has none or no memfd can be made. */
    private static synchronized String program() {
        if (programPath == null) {
            try (InputStream in = SpawnServer.class.getResourceAsStream("spawn-server")) {
                programPath = in == null ? "" : Objects.requireNonNullElse(
                        ExecutableMemfd.create("sockact-spawn-server", in.readAllBytes()), "");
            } catch (IOException e) {
                programPath = "";
            }
        }
        return programPath.isEmpty() ? null : programPath;
    }

    /** Ends this server (it exits at end of file) and reaps it. */
    void close() {
        lock.lock();
        try {
            control.close();
        } finally {
            lock.unlock();
        }
        Processes.await(pid);
    }

    /** The server in use, or null. */
    static SpawnServer running() {
        return running;
    }

    /** The pid of the process's server, or 0 when none runs. */
    public static int pid() {
        SpawnServer server = running;
        return server == null ? 0 : server.pid;
    }

    /** This server's pid. */
    int processId() {
        return pid;
    }

    /**
     * Spawns {@code request} through the server: the child's pid, or {@link #NOT_TAKEN} when the request exceeds
     * the server's bounds or the server is gone (nothing was started: spawn it here).
     */
    int spawn(SpawnRequest request) throws ErrnoException {
        List<Fd> fds = new ArrayList<>();
        int flags = 0;
        if (request.setListenPid()) {
            flags |= FLAG_LISTEN_PID | (Pidfd.hasUniqueInodes() ? FLAG_LISTEN_PIDFDID : 0);
        }
        if (request.newProcessGroup()) {
            flags |= FLAG_NEW_PROCESS_GROUP;
        }
        if (request.stdin() != null) {
            flags |= FLAG_STDIN;
            fds.add(request.stdin());
        }
        if (request.stdout() != null) {
            flags |= FLAG_STDOUT;
            fds.add(request.stdout());
        }
        if (request.stderr() != null) {
            flags |= FLAG_STDERR;
            fds.add(request.stderr());
        }
        fds.addAll(request.passFds());
        List<String> environment = request.setListenPid() ? request.environmentWithoutListenPid()
                : request.environment();
        List<byte[]> strings = new ArrayList<>();
        strings.add(cString(request.program()));
        strings.add(cString(request.workingDirectory() == null ? "" : request.workingDirectory()));
        request.argv().forEach(a -> strings.add(cString(a)));
        environment.forEach(e -> strings.add(cString(e)));
        long size = HEADER_SIZE + strings.stream().mapToLong(s -> s.length).sum();
        if (size > MAX_REQUEST || fds.size() > MAX_FDS || strings.size() - 2 > MAX_STRINGS) {
            return NOT_TAKEN;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(size, 8);
            message.set(INT, 0, VERSION);
            message.set(INT, 4, flags);
            message.set(INT, 8, request.passFds().size());
            message.set(INT, 12, request.argv().size());
            message.set(INT, 16, environment.size());
            long offset = HEADER_SIZE;
            for (byte[] s : strings) {
                MemorySegment.copy(s, 0, message, Layouts.BYTE, offset, s.length);
                offset += s.length;
            }
            lock.lock();
            try {
                if (!control.isOpen()) {
                    return NOT_TAKEN;
                }
                long sent = send(arena, message, fds);
                if (sent == -Errno.EPIPE.number() || sent == -Errno.ECONNRESET.number()
                        || sent == -Errno.ECONNREFUSED.number() || sent == -Errno.ENOTCONN.number()) {
                    lost("it exited");
                    return NOT_TAKEN;
                }
                if (sent < 0) {
                    return NOT_TAKEN;   // ENOBUFS, ENOMEM, EMSGSIZE: this request only; the server is fine
                }
                MemorySegment reply = arena.allocate(8, 4);
                long r;
                do {
                    r = Io.readRaw(control.fd(), reply, 8);
                } while (r == -Errno.EINTR.number());
                if (r != 8) {
                    lost(r >= 0 ? "it exited" : "its reply could not be read: " + Native.strerror((int) -r));
                    throw new ErrnoException("spawn server", Errno.ECONNRESET.number(), request.program());
                }
                int child = reply.get(INT, 0);
                int error = reply.get(INT, 4);
                if (error != 0) {
                    if (child > 0) {
                        Processes.await(child);   // it exited 127 after the failed step; ours to reap
                    }
                    throw new ErrnoException("posix_spawn", error, request.program());
                }
                return child;
            } finally {
                lock.unlock();
            }
        }
    }

    private long send(Arena arena, MemorySegment message, List<Fd> fds) {
        MemorySegment iov = arena.allocate(16, 8);
        iov.set(LONG, 0, message.address());
        iov.set(LONG, 8, message.byteSize());
        MemorySegment header = arena.allocate(MSGHDR_SIZE, 8);
        header.set(LONG, 16, iov.address());
        header.set(LONG, 24, 1);
        if (!fds.isEmpty()) {
            long length = CMSG_HEADER + 4L * fds.size();
            long space = (length + 7) & ~7L;
            MemorySegment control = arena.allocate(space, 8);
            control.set(LONG, 0, length);
            control.set(INT, 8, SOL_SOCKET);
            control.set(INT, 12, SCM_RIGHTS);
            for (int i = 0; i < fds.size(); i++) {
                control.set(INT, CMSG_HEADER + 4L * i, fds.get(i).fd());
            }
            header.set(LONG, 32, control.address());
            header.set(LONG, 40, space);
        }
        long r;
        do {
            r = Native.sys(Syscalls.SENDMSG, this.control.fd(), header.address(), MSG_NOSIGNAL);
        } while (r == -Errno.EINTR.number());
        return r;
    }

    /** The server is gone: said once, and every later spawn is done here. */
    private void lost(String why) {
        boolean processServer;
        synchronized (SpawnServer.class) {
            processServer = running == this;
            if (processServer) {
                running = null;
            }
        }
        control.close();
        if (processServer) {
            LOG.log(Level.WARNING, "The spawn server (pid " + pid + ") is gone, " + why
                    + "; sockactd spawns its children itself from now on.");
        }
    }

    private static byte[] cString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        byte[] result = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, result, 0, bytes.length);
        return result;
    }
}
