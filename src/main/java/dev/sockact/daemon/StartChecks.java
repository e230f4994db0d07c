package dev.sockact.daemon;

import dev.sockact.unit.Condition;
import dev.sockact.unit.UnitInfo;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A unit's Condition*= and Assert*= as a start job tests them (systemd's unit_test_condition() and
 * unit_test_assert() with condition_test_list()), and the last outcome of each list, which status shows. Conditions
 * are tested in systemd's order (the last line first); a failing non-triggering one ends the test, the rest stay
 * untested; the triggering ones need one success among them. Asserts are tested only when the conditions hold.
 */
final class StartChecks {
    private static final System.Logger LOG = System.getLogger("sockactd");

    /** What a start job does after the checks. */
    enum Verdict {
        START, SKIP, ASSERT_FAILED
    }

    /**
     * One test of one list: when ({@code micros}, wall clock), whether it held, and each condition's result in
     * test order (untested ones left out).
     */
    record Outcome(long micros, boolean passed, List<ConditionTests.Tested> results) {
        public Outcome {
            results = List.copyOf(results);
        }

        /** The conditions status names under "was not met": those that failed or could not be tested. */
        List<Condition> unmet() {
            return results.stream().filter(t -> !t.passed()).map(ConditionTests.Tested::condition).toList();
        }
    }

    private Outcome conditions;
    private Outcome asserts;

    /** The last test of the conditions, or null before the first start with conditions. */
    Outcome conditions() {
        return conditions;
    }

    Outcome asserts() {
        return asserts;
    }

    /** Tests {@code unit}'s conditions, then its asserts, logging as systemd does. */
    Verdict test(String unit, UnitInfo info, Map<String, String> environment) {
        if (!info.conditions().isEmpty()) {
            conditions = testList(unit, info.conditions(), environment);
            if (!conditions.passed()) {
                LOG.log(Level.DEBUG, () -> unit + ": Starting requested but condition failed. Not starting unit.");
                return Verdict.SKIP;
            }
        } else {
            conditions = null;
        }
        if (!info.asserts().isEmpty()) {
            asserts = testList(unit, info.asserts(), environment);
            if (!asserts.passed()) {
                LOG.log(Level.INFO, unit + ": Starting requested but asserts failed.");
                return Verdict.ASSERT_FAILED;
            }
        } else {
            asserts = null;
        }
        return Verdict.START;
    }

    private static Outcome testList(String unit, List<Condition> list, Map<String, String> environment) {
        long micros = UnitTimes.nowMicros();
        List<ConditionTests.Tested> results = new ArrayList<>();
        Boolean triggered = null;
        for (Condition c : list) {
            ConditionTests.Tested t = ConditionTests.test(c, environment);
            results.add(t);
            if (t.outcome() == ConditionTests.Outcome.ERROR) {
                LOG.log(Level.WARNING, unit + ": Couldn't determine result for " + c.display()
                        + ", assuming failed: " + t.error());
            } else {
                LOG.log(Level.DEBUG, () -> unit + ": " + c.display() + " " + t.outcome().text + ".");
            }
            if (!c.trigger() && !t.passed()) {
                return new Outcome(micros, false, results);
            }
            if (c.trigger() && (triggered == null || !triggered)) {
                triggered = t.passed();
            }
        }
        return new Outcome(micros, triggered == null || triggered, results);
    }
}
