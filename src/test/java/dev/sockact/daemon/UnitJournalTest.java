package dev.sockact.daemon;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UnitJournalTest {

    @Test
    void attributesSockactdsLinesByPrefixAndDescription() {
        UnitJournal j = new UnitJournal();
        j.register("web.socket", "Web socket");
        j.register("web.service", "");
        j.offer("Listening on Web socket.");
        j.offer("web.socket: Failed to set SO_MARK on [::]:80: EPERM (Operation not permitted)");
        j.offer("web.service[42]: a service's own line comes through append(), not the tap");
        j.offer("Started web.service.");
        j.offer("other.socket: not ours");
        j.offer("Reloading.");
        assertThat(j.last("web.socket", 10)).extracting(UnitJournal.Entry::text).containsExactly(
                "Listening on Web socket.", "web.socket: Failed to set SO_MARK on [::]:80: EPERM (Operation not permitted)");
        assertThat(j.last("web.service", 10)).extracting(UnitJournal.Entry::text).containsExactly(
                "Started web.service.");
        assertThat(j.last("other.socket", 10)).isEmpty();
    }

    @Test
    void keepsTheServicesOwnLinesWithIdentifierPidAndPriority() {
        UnitJournal j = new UnitJournal();
        j.register("web.service", "");
        assertThat(j.admit("web.service", 0)).isTrue();
        j.append("web.service", 3, "httpd", 42, "failed");
        UnitJournal.Entry e = j.last("web.service", 1).getFirst();
        assertThat(e.identifier()).isEqualTo("httpd");
        assertThat(e.pid()).isEqualTo(42);
        assertThat(e.priority()).isEqualTo(3);
        assertThat(e.text()).isEqualTo("failed");
        j.append("gone.service", 6, "x", 1, "not registered");
        assertThat(j.last("gone.service", 10)).isEmpty();
    }

    @Test
    void keepsABoundedRingAndGivesTheLastLines() {
        UnitJournal j = new UnitJournal();
        j.register("a.socket", "");
        for (int i = 0; i < UnitJournal.LINES_PER_UNIT + 5; i++) {
            j.offer("a.socket: line " + i);
        }
        assertThat(j.last("a.socket", 100_000)).hasSize(UnitJournal.LINES_PER_UNIT);
        assertThat(j.last("a.socket", 2)).extracting(UnitJournal.Entry::text).containsExactly(
                "a.socket: line " + (UnitJournal.LINES_PER_UNIT + 3), "a.socket: line " + (UnitJournal.LINES_PER_UNIT + 4));
        assertThat(j.last("a.socket", 0)).isEmpty();
    }

    @Test
    void boundsTheBytesOfAUnitAndOfAllUnits() {
        UnitJournal j = new UnitJournal();
        String big = "x".repeat(OutputLog.LINE_MAX);
        int units = (int) (UnitJournal.TOTAL_BYTES / UnitJournal.BYTES_PER_UNIT) * 2;
        for (int u = 0; u < units; u++) {
            j.register("u" + u + ".service", "");
            for (int i = 0; i < 20; i++) {
                j.append("u" + u + ".service", 6, "x", 1, big);
            }
            long bytes = j.last("u" + u + ".service", 100_000).stream().mapToLong(UnitJournal.Entry::bytes).sum();
            assertThat(bytes).isLessThanOrEqualTo(UnitJournal.BYTES_PER_UNIT);
        }
        long total = 0;
        for (int u = 0; u < units; u++) {
            total += j.last("u" + u + ".service", 100_000).stream().mapToLong(UnitJournal.Entry::bytes).sum();
        }
        assertThat(total).isLessThanOrEqualTo(UnitJournal.TOTAL_BYTES);
        assertThat(j.last("u" + (units - 1) + ".service", 1)).hasSize(1);
    }

    @Test
    void rateLimitsAUnitsOutputAndSaysHowManyWereSuppressed() {
        UnitJournal j = new UnitJournal();
        j.register("chatty.service", "");
        int admitted = 0;
        for (int i = 0; i < UnitJournal.RATE_LIMIT_BURST + 7; i++) {
            if (j.admit("chatty.service", 1_000)) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(UnitJournal.RATE_LIMIT_BURST);
        assertThat(j.admit("chatty.service", 1_000 + UnitJournal.RATE_LIMIT_INTERVAL_NANOS)).isTrue();
        assertThat(j.last("chatty.service", 1)).extracting(UnitJournal.Entry::text)
                .containsExactly("Suppressed 7 messages from chatty.service");
        for (int i = 0; i < UnitJournal.RATE_LIMIT_BURST + 2; i++) {
            j.admit("chatty.service", 2_000 + UnitJournal.RATE_LIMIT_INTERVAL_NANOS);
        }
        j.flushSuppressed("chatty.service");
        assertThat(j.last("chatty.service", 1)).extracting(UnitJournal.Entry::text)
                .containsExactly("Suppressed 3 messages from chatty.service");
    }

    @Test
    void givesTheLinesAfterACursorAndWakesAWaiterAtTheNextLine() {
        UnitJournal j = new UnitJournal();
        j.register("a.service", "");
        j.append("a.service", 6, "a", 1, "one");
        long cursor = j.last("a.service", 1).getFirst().cursor();
        assertThat(j.after("a.service", cursor, 10)).isEmpty();
        List<String> woken = new ArrayList<>();
        assertThat(j.onNext("a.service", () -> woken.add("woken"))).isTrue();
        j.append("a.service", 6, "a", 1, "two");
        assertThat(woken).containsExactly("woken");
        assertThat(j.after("a.service", cursor, 10)).extracting(UnitJournal.Entry::text).containsExactly("two");
        assertThat(j.onNext("unknown.service", () -> { })).isFalse();
    }
}
