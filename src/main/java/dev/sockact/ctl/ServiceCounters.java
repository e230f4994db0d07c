package dev.sockact.ctl;

import java.util.Map;

/**
 * A service unit's counts: what {@code sockctl status} and {@code sockctl show} print and sockactd's metrics
 * export, from one snapshot taken on the manager's loop.
 *
 * @param starts   starts begun since sockactd loaded the service (a socket's trigger, a start job, a restart)
 * @param restarts automatic restarts since the last reset-failed (systemd's NRestarts)
 * @param failures runs that ended failed since sockactd loaded the service, by systemd's Result= word
 *                 ("exit-code", "timeout", "start-limit-hit"...); only the words that happened
 */
public record ServiceCounters(long starts, long restarts, Map<String, Long> failures) {
    public ServiceCounters {
        failures = Map.copyOf(failures);
    }
}
