package dev.sockact.posix;

import static dev.sockact.posix.Native.INT;
import static dev.sockact.posix.Native.POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** File-system calls java.nio does not offer with the exact semantics needed: FIFOs, modes, owners, umask. */
public final class PosixFiles {
    private PosixFiles() {
        throw new AssertionError();
    }

    private static final class Fns {
        static final MethodHandle MKFIFO = Native.errnoCall("mkfifo", FunctionDescriptor.of(INT, POINTER, INT));
        static final MethodHandle CHMOD = Native.errnoCall("chmod", FunctionDescriptor.of(INT, POINTER, INT));
        static final MethodHandle CHOWN = Native.errnoCall("lchown", FunctionDescriptor.of(INT, POINTER, INT, INT));
        static final MethodHandle SYMLINK = Native.errnoCall("symlink", FunctionDescriptor.of(INT, POINTER, POINTER));
        static final MethodHandle UNLINK = Native.errnoCall("unlink", FunctionDescriptor.of(INT, POINTER));
        static final MethodHandle MKDIR = Native.errnoCall("mkdir", FunctionDescriptor.of(INT, POINTER, INT));
        static final MethodHandle UMASK = Native.call("umask", FunctionDescriptor.of(INT, INT));
        static final MethodHandle OPEN = Native.errnoCall("open", FunctionDescriptor.of(INT, POINTER, INT, INT),
                java.lang.foreign.Linker.Option.firstVariadicArg(2));
    }

    public static void mkfifo(String path, int mode) throws ErrnoException {
        pathCall(Fns.MKFIFO, "mkfifo", path, mode);
    }

    public static void chmod(String path, int mode) throws ErrnoException {
        pathCall(Fns.CHMOD, "chmod", path, mode);
    }

    public static void mkdir(String path, int mode) throws ErrnoException {
        pathCall(Fns.MKDIR, "mkdir", path, mode);
    }

    /** lchown(2); -1 leaves the owner or the group as it is. */
    public static void chown(String path, int uid, int gid) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = Native.capture();
            int r = (int) Fns.CHOWN.invokeExact(c, arena.allocateFrom(path), uid, gid);
            if (r < 0) {
                throw new ErrnoException("chown", Native.errno(c), path);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void symlink(String target, String link) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = Native.capture();
            int r = (int) Fns.SYMLINK.invokeExact(c, arena.allocateFrom(target), arena.allocateFrom(link));
            if (r < 0) {
                throw new ErrnoException("symlink", Native.errno(c), link);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** unlink(2); a missing file is not an error (ENOENT returns false). */
    public static boolean unlink(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = Native.capture();
            int r = (int) Fns.UNLINK.invokeExact(c, arena.allocateFrom(path));
            if (r < 0) {
                int errno = Native.errno(c);
                if (errno == Errno.ENOENT.number()) {
                    return false;
                }
                throw new ErrnoException("unlink", errno, path);
            }
            return true;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** open(2) with O_CLOEXEC always added (FIFOs and special files of ListenFIFO=/ListenSpecial=). */
    public static Fd open(String path, int flags, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = Native.capture();
            int fd = (int) Fns.OPEN.invokeExact(c, arena.allocateFrom(path), flags | Io.O_CLOEXEC, mode);
            if (fd < 0) {
                throw new ErrnoException("open", Native.errno(c), path);
            }
            return Fd.adopt(fd);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Sets the process umask and returns the previous one. */
    public static int umask(int mask) {
        try {
            return (int) Fns.UMASK.invokeExact(mask);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static void pathCall(MethodHandle handle, String name, String path, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = Native.capture();
            int r = (int) handle.invokeExact(c, arena.allocateFrom(path), mode);
            if (r < 0) {
                throw new ErrnoException(name, Native.errno(c), path);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
