package dev.sockact.posix;

import static dev.sockact.posix.Native.INT;
import static dev.sockact.posix.Native.POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * A process descriptor (pidfd_open): readable when the child exits, so the
 * event loop watches children like sockets, and signals go to the right
 * process even after its pid is reused.
 */
public final class Pidfd implements AutoCloseable {
    private static final int P_PIDFD = 3;
    private static final int WEXITED = 4;
    private static final int WNOHANG = 1;
    /** si_code values of a SIGCHLD siginfo. */
    private static final int CLD_EXITED = 1;
    private static final int CLD_KILLED = 2;
    private static final int CLD_DUMPED = 3;

    private static final class Open {
        static final MethodHandle H = Native.errnoCall("pidfd_open", FunctionDescriptor.of(INT, INT, INT));
    }

    private static final class SendSignal {
        static final MethodHandle H = Native.errnoCall("pidfd_send_signal",
                FunctionDescriptor.of(INT, INT, INT, POINTER, INT));
    }

    private static final class Waitid {
        static final MethodHandle H = Native.errnoCall("waitid", FunctionDescriptor.of(INT, INT, INT, POINTER, INT));
    }

    private final Fd fd;
    private final int pid;

    private Pidfd(Fd fd, int pid) {
        this.fd = fd;
        this.pid = pid;
    }

    /** Opens a pidfd for our child {@code pid} (pidfds are always CLOEXEC). Works on a zombie too. */
    public static Pidfd open(int pid) throws ErrnoException {
        try {
            MemorySegment c = Native.capture();
            int fd = (int) Open.H.invokeExact(c, pid, 0);
            if (fd < 0) {
                throw new ErrnoException("pidfd_open", Native.errno(c), "pid " + pid);
            }
            return new Pidfd(Fd.adopt(fd), pid);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public int fd() {
        return fd.fd();
    }

    public int pid() {
        return pid;
    }

    /** Sends {@code signal}; ESRCH (already exited) is reported as false. */
    public boolean signal(int signal) throws ErrnoException {
        try {
            MemorySegment c = Native.capture();
            int r = (int) SendSignal.H.invokeExact(c, fd.fd(), signal, MemorySegment.NULL, 0);
            if (r < 0) {
                int errno = Native.errno(c);
                if (errno == Errno.ESRCH.number()) {
                    return false;
                }
                throw new ErrnoException("pidfd_send_signal", errno, "pid " + pid);
            }
            return true;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Reaps the child if it has exited: its status, or empty while it still runs. */
    public Optional<ExitStatus> poll() throws ErrnoException {
        return waitFor(WNOHANG);
    }

    /** Blocks until the child exits and reaps it. */
    public ExitStatus await() throws ErrnoException {
        return waitFor(0).orElseThrow();
    }

    private Optional<ExitStatus> waitFor(int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            // siginfo_t is 128 bytes: si_signo, si_errno, si_code, then si_pid at 16, si_uid at 20, si_status at 24.
            MemorySegment info = arena.allocate(128);
            while (true) {
                MemorySegment c = Native.capture();
                int r = (int) Waitid.H.invokeExact(c, P_PIDFD, fd.fd(), info, WEXITED | flags);
                if (r < 0) {
                    int errno = Native.errno(c);
                    if (errno == Errno.EINTR.number()) {
                        continue;
                    }
                    throw new ErrnoException("waitid", errno, "pid " + pid);
                }
                break;
            }
            if (info.get(INT, 16) == 0) {
                return Optional.empty();
            }
            int code = info.get(INT, 8);
            int status = info.get(INT, 24);
            return Optional.of(switch (code) {
                case CLD_EXITED -> ExitStatus.exited(pid, status);
                case CLD_KILLED, CLD_DUMPED -> ExitStatus.killed(pid, status, code == CLD_DUMPED);
                default -> ExitStatus.exited(pid, status);
            });
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
