package dev.sockact.cli.sockctl;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The text layouts of list and status, without a daemon. */
class SockctlFormatTest {
    private static final long S = 1_000_000L;

    @Test
    void relativeTimesAsSystemd() {
        assertThat(StatusCommand.relative(0)).isEqualTo("now");
        assertThat(StatusCommand.relative(521_000)).isEqualTo("521ms ago");
        assertThat(StatusCommand.relative(5 * S)).isEqualTo("5s ago");
        assertThat(StatusCommand.relative(123 * S)).isEqualTo("2min 3s ago");
        assertThat(StatusCommand.relative(7 * 60 * S)).isEqualTo("7min ago");
        assertThat(StatusCommand.relative(65 * 60 * S)).isEqualTo("1h 5min ago");
        assertThat(StatusCommand.relative(7 * 3600 * S)).isEqualTo("7h ago");
        assertThat(StatusCommand.relative(26 * 3600 * S)).isEqualTo("1 day 2h ago");
        assertThat(StatusCommand.relative(3 * 86400 * S)).isEqualTo("3 days ago");
    }

    @Test
    void glyphs() {
        assertThat(StatusCommand.glyph("active")).isEqualTo("●");
        assertThat(StatusCommand.glyph("activating")).isEqualTo("●");
        assertThat(StatusCommand.glyph("inactive")).isEqualTo("○");
        assertThat(StatusCommand.glyph("failed")).isEqualTo("×");
    }

    @Test
    void listTableAndLegend() {
        StringWriter text = new StringWriter();
        ListCommand.print(new PrintWriter(text, true), List.of(
                new ListCommand.Row("/run/a.sock", "Stream", "a.socket", "a.service"),
                new ListCommand.Row("127.0.0.1:80", "Stream", "web.socket", "web.service")), true, false, false);
        assertThat(text.toString()).isEqualTo("""
                LISTEN       TYPE   UNIT       ACTIVATES
                /run/a.sock  Stream a.socket   a.service
                127.0.0.1:80 Stream web.socket web.service

                2 sockets listed.
                Pass --all to see loaded but inactive sockets, too.
                """);
        StringWriter empty = new StringWriter();
        ListCommand.print(new PrintWriter(empty, true), List.of(), false, false, true);
        assertThat(empty.toString()).isEqualTo("0 sockets listed.\n");
    }
}
