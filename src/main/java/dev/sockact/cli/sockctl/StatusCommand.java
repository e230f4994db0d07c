package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlProtocol;
import dev.sockact.ctl.ListenEntry;
import dev.sockact.ctl.Reply;
import dev.sockact.ctl.Request;
import dev.sockact.ctl.ServiceCounters;
import dev.sockact.ctl.SocketCounters;
import dev.sockact.ctl.UnitStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code sockctl status UNIT...}: {@code systemctl status}'s layout for sockets and services, with the unit's last
 * log lines from sockactd. Exit 0 when every unit is active, 3 when one is not, 4 when one is not loaded.
 */
@Command(name = "status", description = "Show the runtime status of units, as systemctl status does.")
public final class StatusCommand implements Callable<Integer> {
    private static final DateTimeFormatter SINCE =
            DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm:ss zzz", Locale.ROOT);

    @Spec
    CommandSpec spec;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10",
            description = "Log lines to show (default 10, at most 1000).")
    int lines;

    @Parameters(arity = "1..*", paramLabel = "UNIT", description = "Units, e.g. foo.socket foo.service.")
    List<String> units;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OutputOption output = OutputOption.of(spec);
        if (output.rejected(err)) {
            return 1;
        }
        Request request = new Request.Status(ControlOptions.unitNames(units), Math.max(0, lines));
        Reply reply = ControlOptions.of(spec).query(request, err);
        if (!(reply instanceof Reply.Statuses statuses)) {
            return reply.exitStatus();
        }
        if (output.json()) {
            OutputOption.printJson(out, statuses);
            return reply.exitStatus();
        }
        boolean first = true;
        for (UnitStatus u : statuses.units()) {
            if (u instanceof UnitStatus.NotFound) {
                out.flush();
                err.println(ControlProtocol.notFound(u.unit()));
                err.flush();
                continue;
            }
            if (!first) {
                out.println();
            }
            first = false;
            print(out, u, System.currentTimeMillis() * 1000, output.cat());
        }
        return reply.exitStatus();
    }

    /** systemd's glyph for an active state: ● (active, activating, deactivating), ○ (inactive), × (failed). */
    static String glyph(String active) {
        return switch (active) {
            case "inactive" -> "○";
            case "failed" -> "×";
            default -> "●";
        };
    }

    /**
     * One socket's or service's status (a unit that is not loaded has none; it is an error line), its log lines
     * as journalctl's short output or, with {@code -o cat}, their text alone, as systemctl's.
     */
    static void print(PrintWriter out, UnitStatus u, long nowMicros, boolean textAlone) {
        if (!(u instanceof UnitStatus.Loaded loaded)) {
            return;
        }
        UnitStatus.Common c = loaded.common();
        String name = c.unit();
        String active = c.active();
        out.println(glyph(active) + " " + name + (c.description().equals(name) ? "" : " - " + c.description()));
        line(out, "Loaded:", "loaded (" + c.files().fragmentPath() + fileState(c.unitFileState(), c.unitFilePreset())
                + ")");
        printDropIns(out, c.files().dropInPaths());
        StringBuilder state = new StringBuilder(active);
        if (active.equals("failed")) {
            state.append(" (Result: ").append(c.result()).append(")");
        } else {
            state.append(" (").append(c.sub()).append(")");
        }
        long since = c.sinceMicros();
        if (since > 0) {
            state.append(" since ").append(SINCE.format(Instant.ofEpochMilli(since / 1000).atZone(ZoneId.systemDefault())))
                    .append("; ").append(relative(nowMicros - since));
        }
        line(out, "Active:", state.toString());
        switch (loaded) {
            case UnitStatus.Socket s -> {
                if (s.pendingChange() != null) {
                    line(out, "Pending:", s.pendingChange());
                }
                triggerLines(out, "Triggers:", s.triggers());
                startTests(out, c, nowMicros);
                String label = "Listen:";
                for (ListenEntry l : s.listen()) {
                    line(out, label, l.address() + " (" + l.type() + ")");
                    label = "";
                }
                SocketCounters counts = s.counters();
                if (s.accept()) {
                    line(out, "Accepted:", counts.accepted() + "; Connected: " + counts.connected() + ";"
                            + (counts.refused() > 0 ? " Refused: " + counts.refused() : ""));
                }
                line(out, "Poll limit:", s.pollLimit() + (counts.pollLimitHits() > 0
                        ? "; paused " + times(counts.pollLimitHits()) : ""));
                line(out, "Activations:", counts.activations() + (counts.activations() > 0
                        ? String.format(Locale.ROOT, " (trigger to ready: %.1fms on average)",
                                counts.activationMicros() / 1000.0 / counts.activations()) : "")
                        + "; trigger limit hit " + times(counts.triggerLimitHits()));
            }
            case UnitStatus.Service s -> {
                triggerLines(out, "TriggeredBy:", s.triggeredBy());
                startTests(out, c, nowMicros);
                if (s.mainPid() > 0) {
                    line(out, "Main PID:", s.mainPid() + " (" + comm(s.mainPid(), s.mainCommand()) + ")");
                }
                if (!s.statusText().isEmpty()) {
                    line(out, "Status:", "\"" + s.statusText() + "\"");
                }
                ServiceCounters counts = s.counters();
                StringJoiner failed = new StringJoiner(", ");
                new TreeMap<>(counts.failures()).forEach((result, n) -> failed.add(result + " " + n));
                line(out, "Starts:", counts.starts() + "; Restarts: " + counts.restarts() + "; Failed: "
                        + (failed.length() == 0 ? "0" : failed.toString()));
            }
        }
        if (!c.log().isEmpty()) {
            out.println();
            JournalLines format = new JournalLines(c.daemonPid());
            for (UnitStatus.LogLine entry : c.log()) {
                out.println(textAlone ? entry.text() : format.format(entry));
            }
        }
    }

    /** The last start's failed condition and assert tests, after the triggers as systemctl 252 puts them. */
    private static void startTests(PrintWriter out, UnitStatus.Common c, long nowMicros) {
        unmet(out, c.condition(), "Condition:", "start condition failed", nowMicros);
        unmet(out, c.assertion(), "Assert:", "start assertion failed", nowMicros);
    }

    /** When the test failed, then each line that was not met ({@code └─ ConditionPathExists=!/etc/foo was not met}). */
    private static void unmet(PrintWriter out, UnitStatus.StartTest test, String label, String what, long nowMicros) {
        if (test == null) {
            return;
        }
        line(out, label, what + " at " + SINCE.format(Instant.ofEpochMilli(test.micros() / 1000)
                .atZone(ZoneId.systemDefault())) + "; " + relative(nowMicros - test.micros()));
        List<String> unmet = test.unmet();
        for (int i = 0; i < unmet.size(); i++) {
            line(out, "", (i == unmet.size() - 1 ? "└─ " : "├─ ") + unmet.get(i) + " was not met");
        }
    }

    /**
     * systemctl 252's {@code ; enabled; preset: enabled} after the path: the preset only for enabled and disabled
     * units (as {@code show_preset_for_state}); nothing from a daemon that does not send the state.
     */
    static String fileState(String state, String preset) {
        if (state.isEmpty()) {
            return "";
        }
        boolean showPreset = (state.equals("enabled") || state.equals("disabled")) && !preset.isEmpty();
        return "; " + state + (showPreset ? "; preset: " + preset : "");
    }

    private static void triggerLines(PrintWriter out, String label, List<UnitStatus.UnitRef> units) {
        for (UnitStatus.UnitRef u : units) {
            line(out, label, glyph(u.active()) + " " + u.unit());
            label = "";
        }
    }

    private static void printDropIns(PrintWriter out, List<String> dropIns) {
        Map<String, List<String>> byDir = new LinkedHashMap<>();
        for (String d : dropIns) {
            Path p = Path.of(d);
            byDir.computeIfAbsent(String.valueOf(p.getParent()), k -> new ArrayList<>())
                    .add(p.getFileName().toString());
        }
        String label = "Drop-In:";
        for (Map.Entry<String, List<String>> e : byDir.entrySet()) {
            line(out, label, e.getKey());
            line(out, "", "└─" + String.join(", ", e.getValue()));
            label = "";
        }
    }

    /** systemctl status's label column: right-aligned to 12 characters, then a space. */
    private static String times(long n) {
        return n + (n == 1 ? " time" : " times");
    }

    private static void line(PrintWriter out, String label, String value) {
        out.println(" ".repeat(Math.max(0, 12 - label.length())) + label + " " + value);
    }

    private static String comm(long pid, String fallback) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException | RuntimeException e) {
            return fallback.isEmpty() ? "?" : Path.of(fallback).getFileName().toString();
        }
    }

    /** systemd's format_timestamp_relative(): {@code 5s ago}, {@code 2min 3s ago}, {@code 1h 5min ago}. */
    static String relative(long micros) {
        long s = Math.max(0, micros) / 1_000_000L;
        long m = s / 60;
        long h = m / 60;
        long d = h / 24;
        if (d >= 365) {
            return d / 365 + (d / 365 == 1 ? " year " : " years ") + (d % 365) / 30 + (((d % 365) / 30) == 1
                    ? " month ago" : " months ago");
        }
        if (d >= 30) {
            return d / 30 + (d / 30 == 1 ? " month " : " months ") + d % 30 + (d % 30 == 1 ? " day ago" : " days ago");
        }
        if (d >= 7) {
            return d / 7 + (d / 7 == 1 ? " week " : " weeks ") + d % 7 + (d % 7 == 1 ? " day ago" : " days ago");
        }
        if (d >= 2) {
            return d + " days ago";
        }
        if (h >= 25) {
            return "1 day " + (h - 24) + "h ago";
        }
        if (h >= 6) {
            return h + "h ago";
        }
        if (h >= 1) {
            return h + "h " + m % 60 + "min ago";
        }
        if (m >= 5) {
            return m + "min ago";
        }
        if (m >= 1) {
            return m + "min " + s % 60 + "s ago";
        }
        if (s >= 1) {
            return s + "s ago";
        }
        long ms = Math.max(0, micros) / 1000;
        return ms >= 1 ? ms + "ms ago" : "now";
    }
}
