package dev.sockact.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The window's rule, gap by gap: haltpoll's grow and shrink. */
class BusyPollTest {
    private static final long MAX = 40_000;

    @Test
    void theFirstWindowIsTheLongest() {
        assertThat(new BusyPoll(MAX).windowNanos()).isEqualTo(MAX);
    }

    @Test
    void aGapTheWindowCaughtLeavesItAsItIs() {
        BusyPoll poll = new BusyPoll(MAX);
        poll.idleEnded(MAX / 2);
        poll.idleEnded(0);
        assertThat(poll.windowNanos()).isEqualTo(MAX);
    }

    @Test
    void eachGapLongerThanTheLongestWindowHalvesItUntilThereIsNone() {
        BusyPoll poll = new BusyPoll(MAX);
        long[] seen = new long[7];
        for (int i = 0; i < seen.length; i++) {
            poll.idleEnded(MAX + 1);
            seen[i] = poll.windowNanos();
        }
        // 1250 halves to 625, under the 1 µs a window is worth: none.
        assertThat(seen).containsExactly(20_000, 10_000, 5_000, 2_500, 1_250, 0, 0);
    }

    @Test
    void aGapALongerWindowWouldHaveCaughtDoublesItFromAQuarterUpToTheLongest() {
        BusyPoll poll = new BusyPoll(MAX);
        for (int i = 0; i < 6; i++) {
            poll.idleEnded(Long.MAX_VALUE);   // traffic stopped: the loop sleeps at once
        }
        assertThat(poll.windowNanos()).isZero();
        poll.idleEnded(1);
        assertThat(poll.windowNanos()).isEqualTo(MAX / 4);
        poll.idleEnded(MAX / 4 + 1);
        assertThat(poll.windowNanos()).isEqualTo(MAX / 2);
        poll.idleEnded(MAX);
        assertThat(poll.windowNanos()).isEqualTo(MAX);
        poll.idleEnded(MAX);
        assertThat(poll.windowNanos()).isEqualTo(MAX);
    }

    @Test
    void aWindowMustBePositive() {
        assertThatThrownBy(() -> new BusyPoll(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
