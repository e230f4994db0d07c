/**
 * The picocli subcommands of {@code sockctl}. Depends on {@code ctl} (the control socket), {@code unit} and
 * {@code unit.load} ({@code verify}); never on {@code daemon}: sockctl reaches sockactd through the control socket.
 */
package dev.sockact.cli.sockctl;
