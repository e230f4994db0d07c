package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;
import static dev.sockact.posix.Layouts.LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The FFM plumbing shared by the wrappers: the linker, libc, errno capture,
 * and {@link #sys}, the single syscall(2) downcall behind every plain system call.
 *
 * <p>Downcall handles are created by the callers in lazily initialised holder
 * classes (one per function), because linking one costs milliseconds and
 * start-up time is on the critical path of socket activation.
 */
public final class Native {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    /** Read as a plain int: a layout-path VarHandle spins method-handle classes, at start-up, for one int. */
    private static final long ERRNO_OFFSET = CAPTURE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /**
     * long syscall(long number, ...): the one downcall every plain system call goes through. Linked as a fixed
     * seven-long function, not as variadic: the variadic linkage took 10 ms more to link, on the cold-start path
     * of every tool. The two are the same call on Linux x86_64 (integer arguments in the same registers; only AL,
     * the count of vector registers, which glibc's assembly syscall() never reads) and aarch64 (Linux passes
     * variadic arguments as named ones; Apple's ABI differs, and we run on Linux only).
     */
    private static final class Syscall {
        static final MethodHandle H = errnoCall("syscall", SYSCALL_SHAPE);
    }

    /** syscall(2)'s descriptor, shared by {@link LibcCall}: one linked stub for both. */
    static final FunctionDescriptor SYSCALL_SHAPE = FunctionDescriptor.of(LONG, LONG, LONG, LONG, LONG, LONG, LONG,
            LONG);

    /**
     * Links the syscall stub now, on a background thread, so that it is ready by the time the main thread's first
     * system call needs it. The thread also initializes this class and the JDK's FFM classes (15 ms of the
     * start-up): call this through {@link NativeWarmUp#start()}, which does not initialize this class on the
     * caller's thread.
     */
    static void warmUp() {
        sys(Syscalls.GETPID);
    }

    /** A system call: its result, or -errno. Pointers are passed as {@code segment.address()}. */
    static long sys(long number, long a, long b, long c, long d, long e, long f) {
        try {
            MemorySegment capture = CAPTURE.get();
            long r = (long) Syscall.H.invokeExact(capture, number, a, b, c, d, e, f);
            return r == -1 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long sys(long number) {
        return sys(number, 0, 0, 0, 0, 0, 0);
    }

    static long sys(long number, long a) {
        return sys(number, a, 0, 0, 0, 0, 0);
    }

    static long sys(long number, long a, long b) {
        return sys(number, a, b, 0, 0, 0, 0);
    }

    static long sys(long number, long a, long b, long c) {
        return sys(number, a, b, c, 0, 0, 0);
    }

    static long sys(long number, long a, long b, long c, long d) {
        return sys(number, a, b, c, d, 0, 0);
    }

    static long sys(long number, long a, long b, long c, long d, long e) {
        return sys(number, a, b, c, d, e, 0);
    }

    /** One errno capture buffer per thread: the event loop calls millions of times without allocating. */
    private static final ThreadLocal<MemorySegment> CAPTURE = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final ConcurrentHashMap<Integer, String> STRERROR = new ConcurrentHashMap<>();

    private Native() {
        throw new AssertionError();
    }

    /** A downcall whose errno is captured: the handle takes the capture segment as its first argument. */
    @SuppressWarnings("restricted") // FFM's restricted methods are this package's job; launchers grant native access
    static MethodHandle errnoCall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    /** A downcall that cannot fail or reports failure in its return value (no errno). */
    @SuppressWarnings("restricted") // FFM's restricted methods are this package's job; launchers grant native access
    static MethodHandle call(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    /** This thread's errno capture segment, passed as the first argument of an {@link #errnoCall}. */
    static MemorySegment capture() {
        return CAPTURE.get();
    }

    /** The errno the last {@link #errnoCall} on this thread left in {@code capture}. */
    static int errno(MemorySegment capture) {
        return capture.get(INT, ERRNO_OFFSET);
    }

    static String strerror(int errno) {
        return STRERROR.computeIfAbsent(errno, Native::strerrorUncached);
    }

    @SuppressWarnings("restricted") // FFM's restricted methods are this package's job; launchers grant native access
    private static String strerrorUncached(int errno) {
        try {
            MemorySegment text = (MemorySegment) Strerror.H.invokeExact(errno);
            return text.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static final class Strerror {
        static final MethodHandle H = call("strerror", FunctionDescriptor.of(ValueLayout.ADDRESS, INT));
    }

    /** Rethrows what a downcall threw; downcalls throw nothing checked, so this is always unchecked. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("downcall failed", t);
    }
}
