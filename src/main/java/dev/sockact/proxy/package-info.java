/**
 * The forwarder behind {@code socket-proxyd}: listeners, workers with one event loop each, and per connection one
 * explicit state machine relaying both directions with half-close. Depends on {@code activation}, {@code event},
 * {@code posix}, {@code unit.parse} (service names) and {@code log} (rate-limited warnings); never on
 * {@code daemon} or {@code cli}.
 */
package dev.sockact.proxy;
