/**
 * {@code sockactd}: the manager of socket and service units, one explicit state machine per unit, the jobs between
 * units, spawning through {@code posix}, sd_notify, enablement, private namespaces and the control server. Depends
 * on {@code activation}, {@code event}, {@code posix}, {@code unit}, {@code unit.load}, {@code text}, {@code ctl} and
 * {@code log}; never on {@code proxy} or {@code cli}.
 */
package dev.sockact.daemon;
