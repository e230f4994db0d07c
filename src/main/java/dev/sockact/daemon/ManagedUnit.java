package dev.sockact.daemon;

import dev.sockact.unit.UnitInfo;

/**
 * What {@link Jobs} needs of a unit, whatever its type: its name, its [Unit] section (the dependencies), its
 * ActiveState=, and its own start and stop, which know nothing of other units.
 */
interface ManagedUnit {
    String name();

    UnitInfo info();

    ActiveState activeState();

    /** The last test of its Condition*=/Assert*= (a start job runs it before {@link #start}). */
    StartChecks startChecks();

    /** Starts this unit alone (its dependencies are {@link Jobs}' business). */
    void start();

    /** Stops this unit alone. */
    void stop();

    /** reset-failed: a failed unit becomes inactive; its result (and what else its type keeps) is reset. */
    void resetFailed();

    /** A start job for this unit ended without starting it (a dependency failed): whoever waits is told. */
    default void startAbandoned() {
    }

    /** Describe= for messages ("Dependency failed for ..."), else the name. */
    default String describe() {
        return info().description().isEmpty() ? name() : info().description();
    }
}
