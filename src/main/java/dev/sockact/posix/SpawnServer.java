package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;
import static dev.sockact.posix.Layouts.LONG;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
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
    /** The server's executable, in a memfd made at the first spawn server's start. */
    private static final ExecutableMemfd.BuiltIn PROGRAM = new ExecutableMemfd.BuiltIn("spawn-server",
            "sockact-spawn-server");

    private static final long REPLY_SIZE = 8;

    /** Held to send a request, and to read a reply with the request it answers. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Fd control;
    private final int pid;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final MemorySegment replyBuffer = Arena.ofAuto().allocate(REPLY_SIZE, 4);
    /** The server has gone: nothing more is sent or read. */
    private boolean gone;
    /** An event loop watches {@link #replyFd}: a lost server's descriptor is closed by {@link #close}, not at once. */
    private boolean watched;
    /** The strings of the last request encoded (any thread may submit: replaced whole, never changed). */
    private volatile Strings lastStrings;

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
    private static String program() {
        return PROGRAM.path();
    }

    /** Ends this server (it exits at end of file) and reaps it. */
    public void close() {
        lock.lock();
        try {
            control.close();
        } finally {
            lock.unlock();
        }
        Processes.await(pid);
    }

    /** The server in use, or null. */
    public static SpawnServer running() {
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
     * What becomes of one request sent with {@link #submit}: told once, by whichever thread reads its reply (the
     * loop watching {@link #replyFd}, or a {@link #spawn} waiting for a later reply), with the server's lock held.
     */
    public interface Reply {
        /** The child has exec'd; {@code pid} is our child, to watch and reap. */
        void spawned(int pid);

        /** Nothing runs: a step before the exec or the exec failed, or the server went away. */
        void failed(ErrnoException e);
    }

    /** A request sent and not answered yet, in the order sent: the server answers in that order. */
    private record Pending(String program, Reply reply) {
    }

    /**
     * Spawns {@code request} through the server and waits for the child: its pid, or {@link #NOT_TAKEN} when the
     * request exceeds the server's bounds or the server is gone (nothing was started: spawn it here). Replies to
     * earlier {@link #submit}s that come first are handed to their {@link Reply}.
     */
    int spawn(SpawnRequest request) throws ErrnoException {
        Waiting waiting = new Waiting();
        lock.lock();
        try {
            if (!submit(request, waiting)) {
                return NOT_TAKEN;
            }
            while (!waiting.done && readReply(true)) {
                // each reply read goes to its own request, in order, until ours
            }
        } finally {
            lock.unlock();
        }
        return waiting.pid();
    }

    /** {@link #spawn}'s own {@link Reply}: it waits for it on its own thread. */
    private static final class Waiting implements Reply {
        private boolean done;
        private int pid;
        private ErrnoException failure;

        @Override
        public void spawned(int pid) {
            this.pid = pid;
            done = true;
        }

        @Override
        public void failed(ErrnoException e) {
            failure = e;
            done = true;
        }

        int pid() throws ErrnoException {
            if (failure != null) {
                throw failure;
            }
            return pid;
        }
    }

    /**
     * Sends {@code request} to the server without waiting: {@code reply} is told once the child has exec'd or
     * failed to. False, with nothing sent, when the request exceeds the server's bounds or the server is gone
     * (spawn it here). The descriptors of the request travel with the message: the caller may close its own at
     * once.
     */
    public boolean submit(SpawnRequest request, Reply reply) {
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
        Strings strings = strings(request);
        long size = HEADER_SIZE + strings.bytes().length;
        if (size > MAX_REQUEST || fds.size() > MAX_FDS
                || request.argv().size() + strings.environmentCount() > MAX_STRINGS) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(size, 8);
            message.set(INT, 0, VERSION);
            message.set(INT, 4, flags);
            message.set(INT, 8, request.passFds().size());
            message.set(INT, 12, request.argv().size());
            message.set(INT, 16, strings.environmentCount());
            MemorySegment.copy(strings.bytes(), 0, message, Layouts.BYTE, HEADER_SIZE, strings.bytes().length);
            lock.lock();
            try {
                if (gone || !control.isOpen()) {
                    return false;
                }
                long sent = send(arena, message, fds);
                if (sent == -Errno.EPIPE.number() || sent == -Errno.ECONNRESET.number()
                        || sent == -Errno.ECONNREFUSED.number() || sent == -Errno.ENOTCONN.number()) {
                    lost("it exited");
                    return false;
                }
                if (sent < 0) {
                    return false;   // ENOBUFS, ENOMEM, EMSGSIZE: this request only; the server is fine
                }
                pending.add(new Pending(request.program(), reply));
                return true;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * The descriptor the server's replies arrive on, for an event loop to watch; the loop then calls
     * {@link #readReplies} when it is readable. From this call on, a lost server's descriptor stays open until
     * {@link #close}, so that the loop can stop watching it first.
     */
    public int replyFd() {
        lock.lock();
        try {
            watched = true;
            return control.fd();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Hands every reply that has arrived to its {@link Reply}, without waiting for more. False once the server is
     * gone (every request still pending has been told it failed): stop watching {@link #replyFd}, then
     * {@link #close}.
     */
    public boolean readReplies() {
        lock.lock();
        try {
            while (!gone && readReply(false)) {
                // until none is waiting
            }
            return !gone;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the replies of every request sent so far and hands them to their {@link Reply}. */
    public void awaitReplies() {
        lock.lock();
        try {
            while (!pending.isEmpty() && readReply(true)) {
                // until every request is answered
            }
        } finally {
            lock.unlock();
        }
    }

    /** Requests sent and not answered yet: children that may exist and that nobody watches yet. */
    public int inFlight() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads one reply and hands it to the oldest pending request (lock held). False when none is there without
     * waiting, or the server is gone: end of file, a read error, or a reply nobody asked for.
     */
    private boolean readReply(boolean wait) {
        if (gone || !control.isOpen()) {
            return false;
        }
        long r;
        do {
            r = Native.sys(Syscalls.RECVFROM, control.fd(), replyBuffer.address(), REPLY_SIZE,
                    wait ? 0 : Sockets.MSG_DONTWAIT, 0, 0);
        } while (r == -Errno.EINTR.number());
        if (r == -Errno.EAGAIN.number()) {
            return false;
        }
        Pending request = pending.poll();
        if (r != REPLY_SIZE || request == null) {
            lost(r == 0 ? "it exited" : r < 0 ? "its reply could not be read: " + Native.strerror((int) -r)
                    : "it sent a reply nobody asked for");
            if (request != null) {
                request.reply().failed(new ErrnoException("spawn server", Errno.ECONNRESET.number(),
                        request.program()));
            }
            return false;
        }
        int child = replyBuffer.get(INT, 0);
        int error = replyBuffer.get(INT, 4);
        if (error != 0) {
            if (child > 0) {
                Processes.await(child);   // it exited 127 after the failed step; ours to reap
            }
            request.reply().failed(new ErrnoException("posix_spawn", error, request.program()));
        } else {
            request.reply().spawned(child);
        }
        return true;
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

    /**
     * The server is gone (lock held): said once, every request still pending is told it failed (the server may
     * have started it: never retried), and every later spawn is done here.
     */
    private void lost(String why) {
        gone = true;
        boolean processServer;
        synchronized (SpawnServer.class) {
            processServer = running == this;
            if (processServer) {
                running = null;
            }
        }
        if (!watched) {
            control.close();
        }
        if (processServer) {
            LOG.log(Level.WARNING, "The spawn server (pid " + pid + ") is gone, " + why
                    + "; sockactd spawns its children itself from now on.");
        }
        for (Pending request; (request = pending.poll()) != null; ) {
            request.reply().failed(new ErrnoException("spawn server", Errno.ECONNRESET.number(), request.program()));
        }
    }

    /**
     * A request's strings as the message carries them, each NUL-terminated: program, working directory, argv, then
     * the environment (without LISTEN_PID and LISTEN_PIDFDID when the child writes its own), and how many of
     * those there are.
     */
    private record Strings(String program, String workingDirectory, List<String> argv, List<String> environment,
                           boolean setListenPid, byte[] bytes, int environmentCount) {
        /**
         * Whether these are {@code request}'s strings. By identity: a request's lists are immutable, and one made
         * from another ({@link SpawnRequest#withStdio}) shares them.
         */
        boolean of(SpawnRequest request) {
            return request.argv() == argv && request.environment() == environment
                    && request.setListenPid() == setListenPid && request.program().equals(program)
                    && Objects.equals(request.workingDirectory(), workingDirectory);
        }
    }

    /**
     * The strings of a request, encoded: those of the last request sent again when it had the same ones (a
     * service started again by its socket). Encoding them was a tenth of the daemon's path from a trigger to the
     * spawn request.
     */
    private Strings strings(SpawnRequest request) {
        Strings last = lastStrings;
        if (last != null && last.of(request)) {
            return last;
        }
        List<String> environment = request.setListenPid() ? request.environmentWithoutListenPid()
                : request.environment();
        List<byte[]> parts = new ArrayList<>(2 + request.argv().size() + environment.size());
        parts.add(cString(request.program()));
        parts.add(cString(request.workingDirectory() == null ? "" : request.workingDirectory()));
        for (String a : request.argv()) {
            parts.add(cString(a));
        }
        for (String e : environment) {
            parts.add(cString(e));
        }
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] bytes = new byte[length];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, bytes, offset, part.length);
            offset += part.length;
        }
        Strings encoded = new Strings(request.program(), request.workingDirectory(), request.argv(),
                request.environment(), request.setListenPid(), bytes, environment.size());
        lastStrings = encoded;
        return encoded;
    }

    private static byte[] cString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        byte[] result = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, result, 0, bytes.length);
        return result;
    }
}
