package dev.sockact.daemon;

import dev.sockact.unit.UnitInfo;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Start and stop jobs between units, with systemd's meaning of the [Unit] dependencies. Every start (a socket's
 * trigger, {@code sockctl start}/{@code restart}, a dependency's pull) and every stop (a control request,
 * propagation, Conflicts=, BindsTo=, StopWhenUnneeded=) goes through here; the runtimes only know their own unit.
 *
 * <ul>
 *   <li>A start job first checks Requisite= (active, or the job fails), stops what Conflicts= names (both ways),
 *       and starts what Requires=, BindsTo= and Wants= name (loading them on demand). It then waits until every
 *       unit ordered before it (After= here, Before= there) has settled: active (for Type=notify/forking: once it
 *       said READY=1 or its parent exited), failed, or inactive with no job. A Requires=/BindsTo=/Requisite= unit
 *       that is then not active fails the job ("dependency"), and the unit is not started; a Wants= unit's
 *       failure does not matter. As in systemd, a required unit that is not ordered before the dependent is
 *       started alongside it and its failure is not waited for.</li>
 *   <li>A stop job stops, first, the units that Require=, BindsTo= or Requisite= it or are PartOf= it (waiting for
 *       those ordered after it), then the unit. A restart stops the same way and starts again the unit and the
 *       dependents that were active.</li>
 *   <li>After every state change: an active unit whose BindsTo= unit is inactive is stopped; a StopWhenUnneeded=
 *       unit no active or starting unit Requires=/Requisite=/Wants=/BindsTo= is stopped.</li>
 * </ul>
 * Ordering cycles among waiting jobs are found when a job starts waiting and broken, as systemd does, by dropping
 * the edge that closes the cycle (with a warning). Runs on the manager's loop.
 */
final class Jobs {
    private static final System.Logger LOG = System.getLogger("sockactd");
    /** How deep a start pulls in dependencies of dependencies; deeper ones fail the job (a runaway chain). */
    static final int MAX_DEPTH = 64;

    /** How a start job ended (systemd's JobResult, as far as sockactd has them). */
    enum JobResult {
        /** Running, or waiting to run. */
        PENDING,
        /** The unit's start ran (or it was active already). */
        DONE,
        /** A condition failed: the unit was not started, and that is no failure (systemd's done, skipped). */
        SKIPPED,
        /** A dependency failed, or the job was canceled. */
        DEPENDENCY,
        /** An assert failed. */
        ASSERT
    }

    /** One start request. {@link #failure} is null unless the job failed (a message naming both units). */
    static final class StartJob {
        final ManagedUnit unit;
        final int id;
        /** The units this job waits for: ordered before it. */
        final Set<ManagedUnit> after = new LinkedHashSet<>();
        /** Requires=/BindsTo=/Requisite= units: must be active once the wait is over. */
        final Set<ManagedUnit> required = new LinkedHashSet<>();
        private boolean finished;
        private String failure;
        private JobResult result = JobResult.PENDING;

        StartJob(ManagedUnit unit, int id) {
            this.unit = unit;
            this.id = id;
        }

        /** The unit's own start ran, or the job failed. */
        boolean finished() {
            return finished;
        }

        String failure() {
            return failure;
        }

        JobResult result() {
            return result;
        }
    }

    private final Manager manager;
    private final Map<ManagedUnit, StartJob> starts = new IdentityHashMap<>();
    private int nextId = 1;
    private boolean checkPosted;

    Jobs(Manager manager) {
        this.manager = manager;
    }

    /** Whether a start job for {@code unit} is waiting. */
    boolean startPending(ManagedUnit unit) {
        return starts.containsKey(unit);
    }

    // ---- start -------------------------------------------------------------------------------------------------

    /**
     * Whether a start of {@code unit} asked for now would run the unit's own start before {@link #start} returns,
     * with nothing else started, stopped or tested on the way: no job of its own waiting, no Requisite=, Requires=,
     * BindsTo=, Wants= or Conflicts= either way, no Condition*= or Assert*=, and every unit ordered before it
     * settled. A socket spawns its service's main process ahead of such a start ({@link ServiceRuntime#spawnAhead}).
     */
    boolean startRunsAtOnce(ManagedUnit unit) {
        if (starts.containsKey(unit) || !isInactive(unit) || manager.shuttingDown() || !pullsNothing(unit.info())
                || !conflicting(unit).isEmpty()) {
            return false;
        }
        for (ManagedUnit before : orderedBefore(unit)) {
            if (starts.containsKey(before) || before.activeState() == ActiveState.ACTIVATING
                    || before.activeState() == ActiveState.DEACTIVATING) {
                return false;
            }
        }
        return true;
    }

    /** No dependency a start job acts on, and nothing it tests. */
    static boolean pullsNothing(UnitInfo info) {
        return info.requisite().isEmpty() && info.requires().isEmpty() && info.bindsTo().isEmpty()
                && info.wants().isEmpty() && info.conflicts().isEmpty() && info.conditions().isEmpty()
                && info.asserts().isEmpty();
    }

    /** Starts {@code unit} with what it requires and wants, in order. */
    StartJob start(ManagedUnit unit) {
        return start(unit, 0);
    }

    private StartJob start(ManagedUnit unit, int depth) {
        StartJob pending = starts.get(unit);
        if (pending != null) {
            return pending;
        }
        StartJob job = new StartJob(unit, nextId++);
        if (isActive(unit)) {
            job.finished = true;   // nothing to do: systemd merges the job away
            job.result = JobResult.DONE;
            return job;
        }
        starts.put(unit, job);
        LOG.log(Level.DEBUG, () -> "Job " + job.id + " " + unit.name() + "/start enqueued.");
        UnitInfo info = unit.info();
        for (String name : info.requisite()) {
            ManagedUnit dep = manager.unitNamed(name);
            if (dep == null && !UnitRegistry.supportedType(name)) {
                continue;
            }
            if (dep == null || !isActive(dep)) {
                fail(job, dependencyFailed(unit, name, dep == null ? "not loaded" : "not active (Requisite=)"));
                return job;
            }
            job.required.add(dep);
        }
        for (ManagedUnit other : conflicting(unit)) {
            if (!isInactive(other) || starts.containsKey(other)) {
                LOG.log(Level.DEBUG, () -> "Job " + job.id + ": " + unit.name() + " conflicts with " + other.name()
                        + ", stopping it.");
                stop(other);
            }
        }
        for (String name : concat(info.requires(), info.bindsTo())) {
            ManagedUnit dep = manager.unitNamed(name);
            if (dep == null) {
                if (!UnitRegistry.supportedType(name)) {
                    LOG.log(Level.DEBUG, () -> unit.name() + ": " + name + " is not a unit type sockactd runs,"
                            + " ignoring the dependency.");
                    continue;
                }
                fail(job, dependencyFailed(unit, name, "not found or failed to load"));
                return job;
            }
            if (depth >= MAX_DEPTH) {
                fail(job, dependencyFailed(unit, name, "more than " + MAX_DEPTH + " levels of dependencies deep"));
                return job;
            }
            job.required.add(dep);
            start(dep, depth + 1);
        }
        for (String name : info.wants()) {
            ManagedUnit dep = manager.unitNamed(name);
            if (dep == null) {
                LOG.log(Level.DEBUG, () -> unit.name() + ": Wanted unit " + name + " not loaded, ignoring.");
            } else if (depth < MAX_DEPTH) {
                start(dep, depth + 1);
            }
        }
        if (job.finished) {
            return job;   // a dependency's failure while pulling in (a cycle through a failed unit) ended it
        }
        for (ManagedUnit before : orderedBefore(unit)) {
            if (waitsFor(before, unit)) {
                LOG.log(Level.WARNING, unit.name() + ": Found ordering cycle on " + unit.name() + "/start");
                LOG.log(Level.WARNING, unit.name() + ": Breaking ordering cycle by ignoring " + before.name()
                        + "/start, which waits for it.");
                continue;
            }
            job.after.add(before);
        }
        manager.whenTrue(() -> job.finished || readyToRun(job), () -> run(job));
        return job;
    }

    private boolean readyToRun(StartJob job) {
        if (job.unit.activeState() == ActiveState.DEACTIVATING) {
            return false;   // a start queued behind a stop runs once it is down
        }
        for (ManagedUnit before : job.after) {
            if (starts.containsKey(before) || before.activeState() == ActiveState.ACTIVATING
                    || before.activeState() == ActiveState.DEACTIVATING) {
                return false;
            }
        }
        return true;
    }

    private void run(StartJob job) {
        if (job.finished) {
            return;
        }
        for (ManagedUnit dep : job.required) {
            if (job.after.contains(dep) && !isActive(dep)) {
                fail(job, dependencyFailed(job.unit, dep.name(),
                        dep.activeState() == ActiveState.FAILED ? "failed" : "did not start"));
                return;
            }
        }
        if (manager.shuttingDown()) {
            fail(job, "Job for " + job.unit.name() + " canceled: sockactd is shutting down.");
            return;
        }
        StartChecks.Verdict verdict = job.unit.startChecks().test(job.unit.name(), job.unit.info(),
                manager.managerEnvironment());
        if (verdict == StartChecks.Verdict.ASSERT_FAILED) {
            fail(job, "Assertion failed for " + job.unit.describe() + ".", JobResult.ASSERT);
            return;
        }
        starts.remove(job.unit);
        job.finished = true;
        if (verdict == StartChecks.Verdict.SKIP) {
            job.result = JobResult.SKIPPED;
            LOG.log(Level.INFO, "Condition check resulted in " + job.unit.describe() + " being skipped.");
            job.unit.startAbandoned();
            manager.unitChanged();
            return;
        }
        job.result = JobResult.DONE;
        LOG.log(Level.DEBUG, () -> "Job " + job.id + " " + job.unit.name() + "/start running.");
        job.unit.start();
        manager.unitChanged();
    }

    private static String dependencyFailed(ManagedUnit unit, String dependency, String why) {
        return "Dependency failed for " + unit.describe() + " (" + unit.name() + "): " + dependency + " " + why + ".";
    }

    private void fail(StartJob job, String message) {
        fail(job, message, JobResult.DEPENDENCY);
    }

    private void fail(StartJob job, String message, JobResult result) {
        if (job.finished) {
            return;
        }
        job.finished = true;
        job.failure = message;
        job.result = result;
        starts.remove(job.unit, job);
        LOG.log(Level.WARNING, message);
        LOG.log(Level.DEBUG, () -> "Job " + job.id + " " + job.unit.name() + "/start finished, result="
                + result.name().toLowerCase(Locale.ROOT));
        job.unit.startAbandoned();
        manager.unitChanged();
    }

    /** Whether {@code from}'s waiting job depends, through waiting jobs, on {@code target}. Bounded by the jobs. */
    private boolean waitsFor(ManagedUnit from, ManagedUnit target) {
        Set<ManagedUnit> seen = identitySet();
        ArrayDeque<ManagedUnit> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            ManagedUnit u = todo.poll();
            if (u == target) {
                return true;
            }
            StartJob j = starts.get(u);
            if (j != null && seen.add(u)) {
                todo.addAll(j.after);
            }
        }
        return false;
    }

    // ---- stop --------------------------------------------------------------------------------------------------

    /** Stops {@code unit}, after the units that require it or are part of it. Returns those that were up. */
    List<ManagedUnit> stop(ManagedUnit unit) {
        List<ManagedUnit> affected = new ArrayList<>();
        stop(unit, identitySet(), affected);
        return affected;
    }

    private void stop(ManagedUnit unit, Set<ManagedUnit> seen, List<ManagedUnit> affected) {
        if (!seen.add(unit)) {
            return;
        }
        StartJob pending = starts.get(unit);
        if (pending != null) {
            fail(pending, "Job for " + unit.name() + " canceled: the unit is being stopped.");
        }
        LOG.log(Level.DEBUG, () -> unit.name() + "/stop enqueued.");
        List<ManagedUnit> first = new ArrayList<>();
        for (ManagedUnit dependent : stopPropagatesTo(unit)) {
            if (isInactive(dependent) && !starts.containsKey(dependent)) {
                continue;
            }
            LOG.log(Level.DEBUG, () -> unit.name() + ": stopping " + dependent.name() + " too, it depends on it.");
            affected.add(dependent);
            stop(dependent, seen, affected);
            if (orderedBefore(dependent).contains(unit)) {
                first.add(dependent);
            }
        }
        manager.whenTrue(() -> first.stream().allMatch(Jobs::isInactive), unit::stop);
    }

    /** Restarts {@code unit}: stops it and what depends on it, then starts it and those that were up. */
    void restart(ManagedUnit unit, Consumer<StartJob> started) {
        List<ManagedUnit> affected = stop(unit);
        List<ManagedUnit> all = new ArrayList<>(affected);
        all.add(unit);
        manager.whenTrue(() -> all.stream().allMatch(Jobs::isInactive), () -> {
            StartJob job = start(unit);
            for (ManagedUnit dependent : affected) {
                start(dependent);
            }
            started.accept(job);
        });
    }

    /** Units a stop of {@code unit} stops first: Requires=, BindsTo=, Requisite= it, or PartOf= it. */
    private List<ManagedUnit> stopPropagatesTo(ManagedUnit unit) {
        List<ManagedUnit> out = new ArrayList<>();
        for (ManagedUnit other : manager.relations().naming(UnitRelations.Relation.STOPPED_WITH, unit.name())) {
            if (other != unit) {
                out.add(other);
            }
        }
        return out;
    }

    // ---- after every state change: BindsTo= and StopWhenUnneeded= ---------------------------------------------

    /** Called after every state change; the check runs once the change is done (posted), not inside it. */
    void stateChanged() {
        if (!checkPosted) {
            checkPosted = true;
            manager.loop().execute(this::checkBindingsAndNeeds);
        }
    }

    private void checkBindingsAndNeeds() {
        checkPosted = false;
        if (manager.shuttingDown()) {
            return;
        }
        for (ManagedUnit unit : List.copyOf(manager.relations().bindingOrUnneeded())) {
            if (!isActive(unit) || starts.containsKey(unit)) {
                continue;
            }
            for (String name : unit.info().bindsTo()) {
                ManagedUnit bound = manager.loaded(name);
                if (bound != null && isInactive(bound) && !starts.containsKey(bound)) {
                    LOG.log(Level.INFO, unit.name() + ": Unit is bound to inactive unit " + name
                            + ". Stopping, too.");
                    stop(unit);
                    break;
                }
            }
            if (unit.info().stopWhenUnneeded() && isActive(unit) && unneeded(unit)) {
                LOG.log(Level.INFO, unit.name() + ": Unit not needed anymore. Stopping.");
                stop(unit);
            }
        }
    }

    /** No unit that is up, or about to start, Requires=/Requisite=/Wants=/BindsTo= {@code unit}. */
    private boolean unneeded(ManagedUnit unit) {
        for (ManagedUnit other : manager.relations().naming(UnitRelations.Relation.NEEDS, unit.name())) {
            if (other != unit && !(isInactive(other) && !starts.containsKey(other))
                    && other.activeState() != ActiveState.DEACTIVATING) {
                return false;
            }
        }
        return true;
    }

    // ---- relations -----------------------------------------------------------------------------------------------

    /** Loaded units ordered before {@code unit}: its After=, and those whose Before= names it. */
    private List<ManagedUnit> orderedBefore(ManagedUnit unit) {
        Set<ManagedUnit> out = new LinkedHashSet<>();
        for (String name : unit.info().after()) {
            ManagedUnit u = manager.loaded(name);
            if (u != null && u != unit) {
                out.add(u);
            }
        }
        for (ManagedUnit other : manager.relations().naming(UnitRelations.Relation.BEFORE, unit.name())) {
            if (other != unit) {
                out.add(other);
            }
        }
        return new ArrayList<>(out);
    }

    /** Conflicts= is symmetric: the units this one names, and those that name it. */
    private List<ManagedUnit> conflicting(ManagedUnit unit) {
        Set<ManagedUnit> out = new LinkedHashSet<>();
        for (String name : unit.info().conflicts()) {
            ManagedUnit u = manager.loaded(name);
            if (u != null && u != unit) {
                out.add(u);
            }
        }
        for (ManagedUnit other : manager.relations().naming(UnitRelations.Relation.CONFLICTS, unit.name())) {
            if (other != unit) {
                out.add(other);
            }
        }
        return new ArrayList<>(out);
    }

    static boolean isActive(ManagedUnit u) {
        return u.activeState() == ActiveState.ACTIVE || u.activeState() == ActiveState.RELOADING;
    }

    static boolean isInactive(ManagedUnit u) {
        return u.activeState() == ActiveState.INACTIVE || u.activeState() == ActiveState.FAILED;
    }

    /** Both, without repeats, in order. No stream: every start asks, mostly with both empty. */
    private static Collection<String> concat(Collection<String> a, Collection<String> b) {
        if (a.isEmpty() && b.isEmpty()) {
            return List.of();
        }
        Set<String> both = new LinkedHashSet<>(a);
        both.addAll(b);
        return both;
    }

    private static <T> Set<T> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }
}
