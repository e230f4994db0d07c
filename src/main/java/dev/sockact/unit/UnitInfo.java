package dev.sockact.unit;

import java.util.ArrayList;
import java.util.List;

/**
 * The [Unit] and [Install] sections sockact keeps. Dependencies are kept by name; the daemon resolves them.
 * {@code successAction} is recorded because it changes which [Service] settings are valid; sockact does not act on it.
 * {@code conditions} and {@code asserts} are in the order systemd tests them: the last line of the files first.
 */
public record UnitInfo(String description, List<String> documentation,
                       List<String> requires, List<String> requisite, List<String> wants, List<String> bindsTo,
                       List<String> partOf, List<String> conflicts, List<String> before, List<String> after,
                       List<String> onFailure, boolean defaultDependencies, boolean stopWhenUnneeded,
                       boolean refuseManualStart, boolean refuseManualStop,
                       List<String> wantedBy, List<String> requiredBy, List<String> alias, List<String> also,
                       String defaultInstance, String successAction,
                       TimeSpan startLimitInterval, long startLimitBurst, List<String> joinsNamespaceOf,
                       List<Condition> conditions, List<Condition> asserts) {
    /** systemd's DefaultStartLimitIntervalSec= and DefaultStartLimitBurst=. */
    public static final TimeSpan DEFAULT_START_LIMIT_INTERVAL = TimeSpan.ofSeconds(10);
    public static final long DEFAULT_START_LIMIT_BURST = 5;

    public UnitInfo {
        documentation = List.copyOf(documentation);
        requires = List.copyOf(requires);
        requisite = List.copyOf(requisite);
        wants = List.copyOf(wants);
        bindsTo = List.copyOf(bindsTo);
        partOf = List.copyOf(partOf);
        conflicts = List.copyOf(conflicts);
        before = List.copyOf(before);
        after = List.copyOf(after);
        onFailure = List.copyOf(onFailure);
        wantedBy = List.copyOf(wantedBy);
        requiredBy = List.copyOf(requiredBy);
        alias = List.copyOf(alias);
        also = List.copyOf(also);
        joinsNamespaceOf = List.copyOf(joinsNamespaceOf);
        conditions = List.copyOf(conditions);
        asserts = List.copyOf(asserts);
    }

    /** Collects [Unit] and [Install] values while parsing. */
    public static final class Builder {
        private String description = "";
        private final List<String> documentation = new ArrayList<>();
        private final List<String> requires = new ArrayList<>();
        private final List<String> requisite = new ArrayList<>();
        private final List<String> wants = new ArrayList<>();
        private final List<String> bindsTo = new ArrayList<>();
        private final List<String> partOf = new ArrayList<>();
        private final List<String> conflicts = new ArrayList<>();
        private final List<String> before = new ArrayList<>();
        private final List<String> after = new ArrayList<>();
        private final List<String> onFailure = new ArrayList<>();
        private boolean defaultDependencies = true;
        private boolean stopWhenUnneeded;
        private boolean refuseManualStart;
        private boolean refuseManualStop;
        private final List<String> wantedBy = new ArrayList<>();
        private final List<String> requiredBy = new ArrayList<>();
        private final List<String> alias = new ArrayList<>();
        private final List<String> also = new ArrayList<>();
        private String defaultInstance;
        private String successAction = "none";
        private TimeSpan startLimitInterval = DEFAULT_START_LIMIT_INTERVAL;
        private long startLimitBurst = DEFAULT_START_LIMIT_BURST;
        private final List<String> joinsNamespaceOf = new ArrayList<>();
        // Conditions and asserts: newest first, as systemd's LIST_PREPEND keeps them (it tests and shows them so).
        private final List<Condition> conditions = new ArrayList<>();
        private final List<Condition> asserts = new ArrayList<>();

        public void description(String value) { description = value; }
        public List<String> documentation() { return documentation; }
        public List<String> requires() { return requires; }
        public List<String> requisite() { return requisite; }
        public List<String> wants() { return wants; }
        public List<String> bindsTo() { return bindsTo; }
        public List<String> partOf() { return partOf; }
        public List<String> conflicts() { return conflicts; }
        public List<String> before() { return before; }
        public List<String> after() { return after; }
        public List<String> onFailure() { return onFailure; }
        public void defaultDependencies(boolean value) { defaultDependencies = value; }
        public void stopWhenUnneeded(boolean value) { stopWhenUnneeded = value; }
        public void refuseManualStart(boolean value) { refuseManualStart = value; }
        public void refuseManualStop(boolean value) { refuseManualStop = value; }
        public List<String> wantedBy() { return wantedBy; }
        public List<String> requiredBy() { return requiredBy; }
        public List<String> alias() { return alias; }
        public List<String> also() { return also; }
        public void defaultInstance(String value) { defaultInstance = value; }
        public void successAction(String value) { successAction = value; }
        public void startLimitInterval(TimeSpan value) { startLimitInterval = value; }
        public void startLimitBurst(long value) { startLimitBurst = value; }
        public List<String> joinsNamespaceOf() { return joinsNamespaceOf; }

        /** Adds a Condition*= or Assert*= line; an empty assignment of any of one list's keys clears that list. */
        public void addCondition(Condition condition) {
            (condition.assertion() ? asserts : conditions).addFirst(condition);
        }

        public void clearConditions(boolean assertions) {
            (assertions ? asserts : conditions).clear();
        }

        public UnitInfo build() {
            return new UnitInfo(description, documentation, requires, requisite, wants, bindsTo, partOf,
                    conflicts, before, after, onFailure, defaultDependencies, stopWhenUnneeded,
                    refuseManualStart, refuseManualStop, wantedBy, requiredBy, alias, also, defaultInstance,
                    successAction, startLimitInterval, startLimitBurst, joinsNamespaceOf, conditions, asserts);
        }
    }
}
