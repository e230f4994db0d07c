package dev.sockact.activation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sending side's environment: what a child started with sockets sees.
 * LISTEN_PID is not here: only the child knows its own pid before exec, so it
 * is set there ({@code SpawnRequest.setListenPid}) or by exec'ing in place.
 */
public final class ListenEnvironment {
    private ListenEnvironment() {
        throw new AssertionError();
    }

    /** {@code base} without any inherited LISTEN_* (they described our fds, not the child's). */
    public static List<String> withoutListenVariables(Map<String, String> base) {
        List<String> entries = new ArrayList<>();
        base.forEach((name, value) -> {
            if (!name.startsWith("LISTEN_")) {
                entries.add(name + "=" + value);
            }
        });
        return entries;
    }

    /** Adds LISTEN_FDS and, when there are names, LISTEN_FDNAMES; nothing when there are no fds. */
    public static List<String> withListenFds(List<String> entries, int count, List<String> names) {
        List<String> result = new ArrayList<>(entries);
        variables(count, names).forEach((name, value) -> result.add(name + "=" + value));
        return result;
    }

    /** LISTEN_FDS and, when there are names, LISTEN_FDNAMES, in that order; none when there are no fds. */
    public static Map<String, String> variables(int count, List<String> names) {
        Map<String, String> variables = new LinkedHashMap<>();
        if (count > 0) {
            variables.put("LISTEN_FDS", Integer.toString(count));
            if (!names.isEmpty()) {
                variables.put("LISTEN_FDNAMES", String.join(":", names));
            }
        }
        return variables;
    }
}
