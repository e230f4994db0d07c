package dev.sockact.ctl;

/**
 * A socket unit's counts: what {@code sockctl status} and {@code sockctl show} print and sockactd's metrics
 * export, from one snapshot taken on the manager's loop.
 *
 * @param accepted         connections an Accept=yes socket accepted since sockactd loaded it (systemd's NAccepted)
 * @param connected        Accept=yes instances running now (NConnections)
 * @param refused          connections refused by MaxConnections=/MaxConnectionsPerSource= or the trigger limit
 *                         (NRefused)
 * @param pollLimitHits    how often PollLimitBurst= paused a listening fd since the socket started
 * @param triggerLimitHits how often TriggerLimitBurst= stopped the socket since sockactd loaded it
 * @param activations      triggers whose service became ready (active) since sockactd loaded the socket
 * @param activationMicros the sum of those times from trigger to ready, in microseconds
 */
public record SocketCounters(long accepted, long connected, long refused, long pollLimitHits, long triggerLimitHits,
                             long activations, long activationMicros) {
}
