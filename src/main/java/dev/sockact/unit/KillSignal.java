package dev.sockact.unit;

/**
 * KillSignal=: the signal a stop sends first.
 *
 * @param number the signal number
 * @param text   the unit-file word it was given as, with SIG for a name ("SIGTERM", "SIGRTMIN+3", "10")
 */
public record KillSignal(int number, String text) {
    public static final KillSignal SIGTERM = new KillSignal(15, "SIGTERM");
}
