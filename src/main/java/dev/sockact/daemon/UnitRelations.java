package dev.sockact.daemon;

import dev.sockact.unit.UnitInfo;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dependencies looked up backwards, by the name of the unit they name: who has Before=X, Conflicts=X, a
 * dependency that a stop of X propagates through, one that keeps X needed; and who has BindsTo= or
 * StopWhenUnneeded= at all. {@link Jobs} found these by scanning every loaded unit, several times per start: with
 * 1000 idle socket units loaded that was 60 % of the loop's samples per Accept=yes connection, and a fifth of its
 * rate. Each unit is indexed by the {@link UnitInfo} it had when added, so that it can be taken out again after a
 * reload changed it.
 */
final class UnitRelations {
    /** A relation looked up from the unit it names. */
    enum Relation {
        /** Before=: ordered before the named unit. */
        BEFORE,
        /** Conflicts=, which is symmetric. */
        CONFLICTS,
        /** Requires=, BindsTo=, Requisite=, PartOf=: stopped when the named unit stops. */
        STOPPED_WITH,
        /** Requires=, Requisite=, Wants=, BindsTo=: keeps the named unit needed (StopWhenUnneeded=). */
        NEEDS;

        List<String> names(UnitInfo info) {
            return switch (this) {
                case BEFORE -> info.before();
                case CONFLICTS -> info.conflicts();
                case STOPPED_WITH -> concat(info.requires(), info.bindsTo(), info.requisite(), info.partOf());
                case NEEDS -> concat(info.requires(), info.requisite(), info.wants(), info.bindsTo());
            };
        }
    }

    private final Map<Relation, Map<String, Set<ManagedUnit>>> byName = new EnumMap<>(Relation.class);
    private final Map<ManagedUnit, UnitInfo> indexed = new IdentityHashMap<>();
    /** Units with BindsTo= or StopWhenUnneeded=, which every state change may have to stop. */
    private final Set<ManagedUnit> bindingOrUnneeded = new LinkedHashSet<>();

    UnitRelations() {
        for (Relation r : Relation.values()) {
            byName.put(r, new HashMap<>());
        }
    }

    /** Indexes {@code unit} as its settings are now (again, if it was indexed already). */
    void add(ManagedUnit unit) {
        remove(unit);
        UnitInfo info = unit.info();
        indexed.put(unit, info);
        for (Relation r : Relation.values()) {
            for (String name : r.names(info)) {
                byName.get(r).computeIfAbsent(name, n -> new LinkedHashSet<>()).add(unit);
            }
        }
        if (!info.bindsTo().isEmpty() || info.stopWhenUnneeded()) {
            bindingOrUnneeded.add(unit);
        }
    }

    /** Forgets {@code unit}, by the settings it was indexed with. */
    void remove(ManagedUnit unit) {
        UnitInfo info = indexed.remove(unit);
        if (info == null) {
            return;
        }
        for (Relation r : Relation.values()) {
            Map<String, Set<ManagedUnit>> names = byName.get(r);
            for (String name : r.names(info)) {
                Set<ManagedUnit> units = names.get(name);
                if (units != null && units.remove(unit) && units.isEmpty()) {
                    names.remove(name);
                }
            }
        }
        bindingOrUnneeded.remove(unit);
    }

    /** The units whose {@code relation} names {@code name}, in the order they were indexed. */
    Collection<ManagedUnit> naming(Relation relation, String name) {
        Set<ManagedUnit> units = byName.get(relation).get(name);
        return units == null ? List.of() : units;
    }

    /** The units with BindsTo= or StopWhenUnneeded=. */
    Collection<ManagedUnit> bindingOrUnneeded() {
        return bindingOrUnneeded;
    }

    private static List<String> concat(List<String> a, List<String> b, List<String> c, List<String> d) {
        List<String> all = new ArrayList<>(a.size() + b.size() + c.size() + d.size());
        all.addAll(a);
        all.addAll(b);
        all.addAll(c);
        all.addAll(d);
        return all;
    }
}
