package dev.sockact.ctl;

import java.util.List;

/** One unit in {@code sockctl status}: a socket, a service, or a name that is not loaded. */
public sealed interface UnitStatus {

    String unit();

    /** Whether the unit is active or reloading (exit 0 for status); a unit that is not loaded is not. */
    default boolean running() {
        return false;
    }

    record NotFound(String unit) implements UnitStatus {
    }

    /** A unit that is loaded: a socket or a service, with what both show. */
    sealed interface Loaded extends UnitStatus {
        Common common();

        @Override
        default String unit() {
            return common().unit();
        }

        @Override
        default boolean running() {
            return common().running();
        }
    }

    /**
     * A socket unit: its services, the change of its definition that waits to be applied (null when none), its
     * listen addresses, whether it is Accept=yes, its poll limit ({@code pollLimit}: "15 per 2s" or "off") and
     * its counts (connections, limit hits, activations).
     */
    record Socket(Common common, List<UnitRef> triggers, String pendingChange, List<ListenEntry> listen,
                  boolean accept, String pollLimit, SocketCounters counters) implements Loaded {
        public Socket {
            triggers = List.copyOf(triggers);
            listen = List.copyOf(listen);
        }
    }

    /**
     * A service unit: the sockets that activate it, its main process (0 when none), its sd_notify STATUS= and its
     * counts (starts, restarts, failures by result).
     */
    record Service(Common common, List<UnitRef> triggeredBy, long mainPid, String mainCommand, String statusText,
                   ServiceCounters counters) implements Loaded {
        public Service {
            triggeredBy = List.copyOf(triggeredBy);
        }
    }

    /**
     * What sockets and services both show: files, enablement ({@code unitFileState}, {@code unitFilePreset}), the
     * states and since when ({@code sinceMicros}, 0 for never), the last log lines and the pid of sockactd that
     * logged them, and the last start's failed condition and assert tests (null unless one failed).
     */
    record Common(UnitFiles files, String unitFileState, String unitFilePreset, String description, String active,
                  String sub, String result, long sinceMicros, List<LogLine> log, long daemonPid,
                  StartTest condition, StartTest assertion) {
        public Common {
            log = List.copyOf(log);
        }

        /** A unit whose conditions and asserts have not failed. */
        public Common(UnitFiles files, String unitFileState, String unitFilePreset, String description, String active,
                      String sub, String result, long sinceMicros, List<LogLine> log, long daemonPid) {
            this(files, unitFileState, unitFilePreset, description, active, sub, result, sinceMicros, log, daemonPid,
                    null, null);
        }

        public String unit() {
            return files.unit();
        }

        boolean running() {
            return active.equals("active") || active.equals("reloading");
        }
    }

    /** Another unit and its active state: what a socket triggers or what triggers a service. */
    record UnitRef(String unit, String active) {
    }

    /**
     * A start's failed test of the conditions or of the asserts: when ({@code micros}, wall clock) and the lines
     * not met, as systemctl status lists them ({@code ConditionPathExists=!/etc/foo}).
     */
    record StartTest(long micros, List<String> unmet) {
        public StartTest {
            unmet = List.copyOf(unmet);
        }
    }

    /**
     * One line kept for the unit: the service's own output, with its {@code identifier} (SyslogIdentifier= or the
     * command's name) and {@code pid}, or (identifier null, pid 0) what sockactd logged about the unit.
     *
     * @param priority the syslog priority, 0 (emerg) .. 7 (debug)
     */
    record LogLine(long timeMillis, int priority, String text, String identifier, long pid) {
    }
}
