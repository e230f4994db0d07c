package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlProtocol;
import dev.sockact.ctl.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    @Mixin
    ControlOptions control;
    @Mixin
    OutputOption output;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10",
            description = "Log lines to show (default 10, at most 1000).")
    int lines;

    @Parameters(arity = "1..*", paramLabel = "UNIT", description = "Units, e.g. foo.socket foo.service.")
    List<String> units;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (output.rejected(err)) {
            return 1;
        }
        Map<String, Object> request = ControlOptions.request("status", units);
        request.put("lines", Math.max(0, lines));
        ControlOptions.Result result = control.query(request, err);
        if (!(result.data() instanceof List<?> list)) {
            return result.status();
        }
        if (output.json()) {
            out.println(Json.write(list));
            return result.status();
        }
        boolean first = true;
        for (Object o : list) {
            Map<?, ?> u = (Map<?, ?>) o;
            if ("not-found".equals(u.get("load"))) {
                out.flush();
                err.println(ControlProtocol.notFound(String.valueOf(u.get("unit"))));
                err.flush();
                continue;
            }
            if (!first) {
                out.println();
            }
            first = false;
            print(out, u, System.currentTimeMillis() * 1000);
        }
        return result.status();
    }

    /** systemd's glyph for an active state: ● (active, activating, deactivating), ○ (inactive), × (failed). */
    static String glyph(String active) {
        return switch (active) {
            case "inactive" -> "○";
            case "failed" -> "×";
            default -> "●";
        };
    }

    static void print(PrintWriter out, Map<?, ?> u, long nowMicros) {
        String name = String.valueOf(u.get("unit"));
        String active = String.valueOf(u.get("active"));
        String description = String.valueOf(u.get("description"));
        out.println(glyph(active) + " " + name + (description.equals(name) ? "" : " - " + description));
        line(out, "Loaded:", "loaded (" + u.get("fragmentPath") + fileState(u) + ")");
        printDropIns(out, strings(u.get("dropInPaths")));
        StringBuilder state = new StringBuilder(active);
        String result = String.valueOf(u.get("result"));
        if (active.equals("failed")) {
            state.append(" (Result: ").append(result).append(")");
        } else {
            state.append(" (").append(u.get("sub")).append(")");
        }
        long since = u.get("sinceMicros") instanceof Long l ? l : 0;
        if (since > 0) {
            state.append(" since ").append(SINCE.format(Instant.ofEpochMilli(since / 1000).atZone(ZoneId.systemDefault())))
                    .append("; ").append(relative(nowMicros - since));
        }
        line(out, "Active:", state.toString());
        if (u.get("pendingChange") instanceof String pending) {
            line(out, "Pending:", pending);
        }
        if (u.get("triggers") instanceof List<?> triggers) {
            triggerLines(out, "Triggers:", triggers);
        }
        if (u.get("triggeredBy") instanceof List<?> by && !by.isEmpty()) {
            triggerLines(out, "TriggeredBy:", by);
        }
        if (u.get("listen") instanceof List<?> listens) {
            String label = "Listen:";
            for (Object l : listens) {
                Map<?, ?> m = (Map<?, ?>) l;
                line(out, label, m.get("address") + " (" + m.get("type") + ")");
                label = "";
            }
        }
        if (Boolean.TRUE.equals(u.get("accept"))) {
            long refused = u.get("refused") instanceof Long r ? r : 0;
            line(out, "Accepted:", u.get("accepted") + "; Connected: " + u.get("connected") + ";"
                    + (refused > 0 ? " Refused: " + refused : ""));
        }
        if (u.get("mainPid") instanceof Long pid && pid > 0) {
            line(out, "Main PID:", pid + " (" + comm(pid, String.valueOf(u.get("mainCommand"))) + ")");
        }
        if (u.get("statusText") instanceof String text && !text.isEmpty()) {
            line(out, "Status:", "\"" + text + "\"");
        }
        if (u.get("log") instanceof List<?> log && !log.isEmpty()) {
            out.println();
            JournalLines format = new JournalLines(u.get("daemonPid"));
            for (Object o : log) {
                out.println(format.format((Map<?, ?>) o));
            }
        }
    }

    /**
     * systemctl 252's {@code ; enabled; preset: enabled} after the path: the preset only for enabled and disabled
     * units (as {@code show_preset_for_state}); nothing from a daemon that does not send the state.
     */
    static String fileState(Map<?, ?> u) {
        if (!(u.get("unitFileState") instanceof String state) || state.isEmpty()) {
            return "";
        }
        boolean showPreset = (state.equals("enabled") || state.equals("disabled"))
                && u.get("unitFilePreset") instanceof String p && !p.isEmpty();
        return "; " + state + (showPreset ? "; preset: " + u.get("unitFilePreset") : "");
    }

    private static void triggerLines(PrintWriter out, String label, List<?> units) {
        for (Object o : units) {
            Map<?, ?> m = (Map<?, ?>) o;
            line(out, label, glyph(String.valueOf(m.get("active"))) + " " + m.get("unit"));
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
    private static void line(PrintWriter out, String label, String value) {
        out.println(" ".repeat(Math.max(0, 12 - label.length())) + label + " " + value);
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> list) {
            list.forEach(e -> out.add(String.valueOf(e)));
        }
        return out;
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
