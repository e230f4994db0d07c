package dev.sockact.posix;

import java.lang.invoke.MethodHandle;

/**
 * A libc function with integer and pointer arguments (up to six) and an integer result, linked in the shape of
 * {@link Native#sys}'s syscall(2) stub: seven longs in, a long out, errno captured. Linking a downcall spins a stub
 * class per distinct descriptor, 5-7 ms each on a cold start, and the JDK keeps one linked stub per descriptor and
 * options: a function linked in this shape binds its address to the stub syscall(2) already has. Spawner's fourteen
 * functions took six stubs, ~35 ms of sockactd's start-up; Users' lookups (a service's first User=) took two more,
 * and socket-activate's exec, on its activation path, two or three.
 *
 * <p>The call is the same one their prototypes give on Linux x86_64 (SysV) and aarch64 (AAPCS64), the only targets
 * (see {@link Syscalls}): integer and pointer arguments travel in the same registers whatever their declared width,
 * a value the function does not declare is ignored, and an {@code int} result is the low half of the long.
 * Arguments narrower than {@code long} are passed non-negative or sign-extended, as a caller's would be.
 */
final class LibcCall {
    private final MethodHandle handle;

    private LibcCall(MethodHandle handle) {
        this.handle = handle;
    }

    static LibcCall of(String name) {
        return new LibcCall(Native.errnoCall(name, Native.SYSCALL_SHAPE));
    }

    /** The function's int result; pointers are passed as {@code segment.address()}. */
    int call(long a, long b, long c, long d, long e, long f) {
        try {
            return (int) (long) handle.invokeExact(Native.capture(), a, b, c, d, e, f, 0L);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    int call(long a) {
        return call(a, 0, 0, 0, 0, 0);
    }

    int call(long a, long b) {
        return call(a, b, 0, 0, 0, 0);
    }

    int call(long a, long b, long c) {
        return call(a, b, c, 0, 0, 0);
    }

    int call(long a, long b, long c, long d) {
        return call(a, b, c, d, 0, 0);
    }

    int call(long a, long b, long c, long d, long e) {
        return call(a, b, c, d, e, 0);
    }
}
