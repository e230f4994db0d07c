package dev.sockact.unit;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * SuccessExitStatus=, RestartPreventExitStatus=: exit codes and signals (systemd's ExitStatusSet).
 *
 * @param codes   exit codes 0-255
 * @param signals signal numbers
 */
public record ExitStatusSet(Set<Integer> codes, Set<Integer> signals) {
    public static final ExitStatusSet EMPTY = new ExitStatusSet(Set.of(), Set.of());

    public ExitStatusSet {
        codes = Set.copyOf(codes);
        signals = Set.copyOf(signals);
    }

    /** One word of the setting: an exit code ("75", "TEMPFAIL") or a signal ("SIGUSR1", "TERM"). */
    public sealed interface Member {
    }

    public record Code(int code) implements Member {
    }

    public record Signal(int number) implements Member {
    }

    /** The set the words of every assignment since the last empty one name. */
    public static ExitStatusSet of(List<Member> members) {
        Set<Integer> codes = new LinkedHashSet<>();
        Set<Integer> signals = new LinkedHashSet<>();
        for (Member member : members) {
            switch (member) {
                case Code c -> codes.add(c.code());
                case Signal s -> signals.add(s.number());
            }
        }
        return new ExitStatusSet(codes, signals);
    }

    public boolean containsCode(int code) {
        return codes.contains(code);
    }

    public boolean containsSignal(int signal) {
        return signals.contains(signal);
    }
}
