package dev.sockact.posix;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * libc functions called in syscall(2)'s seven-long shape give what their own prototypes give: results that are
 * negative ints, narrow (short) arguments, pointers both ways.
 */
class LibcCallTest {

    @Test
    void anIntResultIsTheLowHalfWithItsSign() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(LibcCall.of("atoi").call(arena.allocateFrom("-42").address())).isEqualTo(-42);
            assertThat(LibcCall.of("atoi").call(arena.allocateFrom("2147483647").address()))
                    .isEqualTo(Integer.MAX_VALUE);
        }
        assertThat(LibcCall.of("getpid").call(0)).isEqualTo((int) ProcessHandle.current().pid());
    }

    @Test
    void aShortArgumentAndAPointerToAShortRoundTrip() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attributes = arena.allocate(1024, 16);
            assertThat(LibcCall.of("posix_spawnattr_init").call(attributes.address())).isZero();
            try {
                short flags = 0x0c;   // POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
                assertThat(LibcCall.of("posix_spawnattr_setflags").call(attributes.address(), flags)).isZero();
                MemorySegment read = arena.allocate(ValueLayout.JAVA_SHORT);
                assertThat(LibcCall.of("posix_spawnattr_getflags").call(attributes.address(), read.address()))
                        .isZero();
                assertThat(read.get(ValueLayout.JAVA_SHORT, 0)).isEqualTo(flags);
            } finally {
                LibcCall.of("posix_spawnattr_destroy").call(attributes.address());
            }
        }
    }
}
