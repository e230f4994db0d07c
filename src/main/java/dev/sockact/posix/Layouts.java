package dev.sockact.posix;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The layouts native structs are read and written with, and byte copies. Apart from {@link Native} on purpose:
 * touching these does not initialize the linker, so the main thread can encode socket addresses while the
 * warm-up thread links the native layer (socket activation waits for both).
 */
final class Layouts {
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;
    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    static final MemoryLayout POINTER = ValueLayout.ADDRESS;
    static final ValueLayout.OfInt INT_UNALIGNED = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong LONG_UNALIGNED = ValueLayout.JAVA_LONG_UNALIGNED;

    private Layouts() {
        throw new AssertionError();
    }

    /**
     * Copies a few bytes (an address, a path) into {@code segment} at {@code offset}, one by one: the first
     * MemorySegment.copy or toArray of a process costs 8 ms (the JDK spins a type-switch class for it at run time,
     * which the AOT cache does not hold), on the cold-start path of every tool.
     */
    static void put(MemorySegment segment, long offset, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            segment.set(BYTE, offset + i, bytes[i]);
        }
    }

    /** {@code length} bytes of {@code segment} from {@code offset}, copied one by one (see {@link #put}). */
    static byte[] get(MemorySegment segment, long offset, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = segment.get(BYTE, offset + i);
        }
        return bytes;
    }
}
