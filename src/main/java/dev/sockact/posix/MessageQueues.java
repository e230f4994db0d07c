package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;
import static dev.sockact.posix.Layouts.LONG;
import static dev.sockact.posix.Layouts.POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** POSIX message queues (mq_open, mq_unlink), for ListenMessageQueue=. */
public final class MessageQueues {
    public static final int O_RDONLY = 0;
    public static final int O_CREAT = 0x40;

    private MessageQueues() {
        throw new AssertionError();
    }

    private static final class Fns {
        static final MethodHandle OPEN = Native.errnoCall("mq_open", FunctionDescriptor.of(INT, POINTER, INT, INT, POINTER),
                Linker.Option.firstVariadicArg(2));
        static final MethodHandle UNLINK = Native.errnoCall("mq_unlink", FunctionDescriptor.of(INT, POINTER));
    }

    /**
     * Opens (creating) {@code name} ("/foo") read-only and non-blocking, CLOEXEC. Zero
     * {@code maxMessages}/{@code messageSize} keep the kernel defaults, as systemd does.
     */
    public static Fd open(String name, int mode, long maxMessages, long messageSize) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = MemorySegment.NULL;
            if (maxMessages > 0 && messageSize > 0) {
                // struct mq_attr { long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs; long pad[4]; }
                attr = arena.allocate(64, 8);
                attr.set(LONG, 8, maxMessages);
                attr.set(LONG, 16, messageSize);
            }
            MemorySegment c = Native.capture();
            int fd = (int) Fns.OPEN.invokeExact(c, arena.allocateFrom(name),
                    O_RDONLY | O_CREAT | Io.O_CLOEXEC | Io.O_NONBLOCK, mode, attr);
            if (fd < 0) {
                throw new ErrnoException("mq_open", Native.errno(c), name);
            }
            return Fd.adopt(fd);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void unlink(String name) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = Native.capture();
            int r = (int) Fns.UNLINK.invokeExact(c, arena.allocateFrom(name));
            if (r < 0 && Native.errno(c) != Errno.ENOENT.number()) {
                throw new ErrnoException("mq_unlink", Native.errno(c), name);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
