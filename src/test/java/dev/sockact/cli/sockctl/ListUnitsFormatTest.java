package dev.sockact.cli.sockctl;

import dev.sockact.ctl.InstallChange;
import dev.sockact.ctl.Reply;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** list-units' table and legend, enable/disable's lines and status's Loaded: line, against systemctl 252's layout. */
class ListUnitsFormatTest {
    private static String print(List<ListUnitsCommand.Row> rows, boolean all, boolean noLegend, boolean plain) {
        StringWriter s = new StringWriter();
        List<ListUnitsCommand.Row> sorted = new ArrayList<>(rows);
        sorted.sort(ListUnitsCommand.ORDER);
        ListUnitsCommand.print(new PrintWriter(s, true), sorted, all, noLegend, plain);
        return s.toString();
    }

    private static final List<ListUnitsCommand.Row> ROWS = List.of(
            new ListUnitsCommand.Row("web.socket", "loaded", "active", "listening", "Web socket"),
            new ListUnitsCommand.Row("web.service", "loaded", "failed", "failed", "Web service"),
            new ListUnitsCommand.Row("a.socket", "loaded", "active", "running", "a.socket"));

    @Test
    void tableSortedByTypeThenNameWithTheFailedMarkAndLegend() {
        assertThat(print(ROWS, false, false, false)).isEqualTo("""
                  UNIT        LOAD   ACTIVE SUB       DESCRIPTION
                ● web.service loaded failed failed    Web service
                  a.socket    loaded active running   a.socket
                  web.socket  loaded active listening Web socket

                LOAD   = Reflects whether the unit definition was properly loaded.
                ACTIVE = The high-level unit activation state, i.e. generalization of SUB.
                SUB    = The low-level unit activation state, values depend on unit type.
                3 loaded units listed. Pass --all to see loaded but inactive units, too.
                """);
    }

    @Test
    void allPlainNoLegendAndEmpty() {
        assertThat(print(ROWS.subList(2, 3), true, true, true)).isEqualTo("a.socket loaded active running a.socket\n");
        assertThat(print(List.of(), true, false, false)).isEqualTo("0 loaded units listed.\n");
        assertThat(print(List.of(), false, true, false)).isEmpty();
    }

    @Test
    void inactiveUnitsOnlyWithAllAndTypeAndPatternFilters() {
        var inactive = new ListUnitsCommand.Row("idle.socket", "loaded", "inactive", "dead", "idle.socket");
        var failed = ROWS.get(1);
        assertThat(ListUnitsCommand.shows(inactive, List.of(), false, List.of())).isFalse();
        assertThat(ListUnitsCommand.shows(inactive, List.of(), true, List.of())).isTrue();
        assertThat(ListUnitsCommand.shows(failed, List.of(), false, List.of())).isTrue();
        assertThat(ListUnitsCommand.shows(failed, List.of("socket"), true, List.of())).isFalse();
        assertThat(ListUnitsCommand.shows(failed, List.of("socket", "service"), true, List.of())).isTrue();
        assertThat(ListUnitsCommand.shows(failed, List.of(), true, List.of(ListUnitsCommand.glob("w?b.*")))).isTrue();
        assertThat(ListUnitsCommand.shows(failed, List.of(), true, List.of(ListUnitsCommand.glob("[ab]*")))).isFalse();
    }

    @Test
    void installChangesAsSystemctlPrintsThem() {
        StringWriter s = new StringWriter();
        InstallCommand.printChanges(new PrintWriter(s, true), new Reply.Installed(List.of(
                new InstallChange(InstallChange.Kind.SYMLINK, "/etc/sockact/system/sockets.target.wants/x.socket",
                        "/etc/sockact/system/x.socket"),
                new InstallChange(InstallChange.Kind.UNLINK, "/etc/sockact/system/y.socket", null)), true, null, null),
                true);
        assertThat(s.toString()).isEqualTo("Created symlink /etc/sockact/system/sockets.target.wants/x.socket → "
                + "/etc/sockact/system/x.socket.\nRemoved \"/etc/sockact/system/y.socket\".\n");

        StringWriter none = new StringWriter();
        InstallCommand.printChanges(new PrintWriter(none, true), new Reply.Installed(List.of(), false, null, null),
                true);
        assertThat(none.toString()).startsWith("The unit files have no installation config (WantedBy=, RequiredBy=,"
                + " Also=,\nAlias= settings in the [Install] section, and DefaultInstance= for template\nunits). This"
                + " means they are not meant to be enabled using sockctl.\n \nPossible reasons");
        StringWriter disable = new StringWriter();
        InstallCommand.printChanges(new PrintWriter(disable, true), new Reply.Installed(List.of(), false, null, null),
                false);
        assertThat(disable.toString()).isEmpty();
    }

    @Test
    void loadedLineShowsThePresetForEnabledAndDisabledOnly() {
        assertThat(StatusCommand.fileState("enabled", "enabled"))
                .isEqualTo("; enabled; preset: enabled");
        assertThat(StatusCommand.fileState("disabled", "disabled"))
                .isEqualTo("; disabled; preset: disabled");
        assertThat(StatusCommand.fileState("static", "enabled"))
                .isEqualTo("; static");
        assertThat(StatusCommand.fileState("", "")).isEmpty();
    }
}
