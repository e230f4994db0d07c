/**
 * The unit-file model: immutable records for socket and service units ({@link dev.sockact.unit.SocketUnit},
 * {@link dev.sockact.unit.ServiceUnit}, the sealed {@link dev.sockact.unit.ListenSpec}), filled with systemd's
 * defaults, and {@link dev.sockact.unit.Diagnostic} values. Load units with {@code dev.sockact.unit.load.UnitLoader}.
 * Depends only on {@code text}; never on {@code unit.parse} or {@code unit.load}, which build on it, nor on
 * {@code posix} or any package above.
 */
package dev.sockact.unit;
