/**
 * Both sides of the {@code LISTEN_FDS} protocol: parsing and opening listen addresses the way systemd does, the
 * {@code sd_listen_fds} port, the sending side's environment, accepting one connection with its instance name and
 * slots, and starting one child per connection. Depends on {@code posix}, {@code unit}, {@code unit.parse} and
 * {@code text}; never on {@code event}, {@code proxy}, {@code daemon}, {@code log} or {@code cli}. Never logs above
 * debug: it throws, or returns values.
 */
package dev.sockact.activation;
