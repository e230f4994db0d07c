package dev.sockact.daemon;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UnitJournalTest {

    @Test
    void attributesLinesByPrefixOutputAndDescription() {
        UnitJournal j = new UnitJournal();
        j.register("web.socket", "Web socket");
        j.register("web.service", "");
        j.offer("Listening on Web socket.");
        j.offer("web.socket: Failed to set SO_MARK on [::]:80: EPERM (Operation not permitted)");
        j.offer("web.service[42]: hello from the service");
        j.offer("Started web.service.");
        j.offer("other.socket: not ours");
        j.offer("Reloading.");
        assertThat(j.last("web.socket", 10)).extracting(UnitJournal.Line::text).containsExactly(
                "Listening on Web socket.", "web.socket: Failed to set SO_MARK on [::]:80: EPERM (Operation not permitted)");
        assertThat(j.last("web.service", 10)).extracting(UnitJournal.Line::text).containsExactly(
                "web.service[42]: hello from the service", "Started web.service.");
        assertThat(j.last("other.socket", 10)).isEmpty();
    }

    @Test
    void keepsABoundedRingAndGivesTheLastLines() {
        UnitJournal j = new UnitJournal();
        j.register("a.socket", "");
        for (int i = 0; i < UnitJournal.LINES_PER_UNIT + 5; i++) {
            j.offer("a.socket: line " + i);
        }
        assertThat(j.last("a.socket", 1000)).hasSize(UnitJournal.LINES_PER_UNIT);
        assertThat(j.last("a.socket", 2)).extracting(UnitJournal.Line::text).containsExactly(
                "a.socket: line " + (UnitJournal.LINES_PER_UNIT + 3), "a.socket: line " + (UnitJournal.LINES_PER_UNIT + 4));
        assertThat(j.last("a.socket", 0)).isEmpty();
    }
}
