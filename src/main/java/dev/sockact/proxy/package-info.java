/**
 * The forwarding engine, hosted by {@code socket-proxyd} (a process) or by sockactd: {@link
 * dev.sockact.proxy.ProxyEngine} with listeners in, each with its target, limits, counts and an observer for
 * readiness and idleness; inside, workers with one event loop each, and per connection one explicit state
 * machine relaying both directions with half-close. Depends on {@code activation}, {@code event},
 * {@code posix}, {@code unit.parse} (service names) and {@code log} (rate-limited warnings); never on
 * {@code daemon} or {@code cli}.
 */
package dev.sockact.proxy;
