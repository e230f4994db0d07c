/** The picocli subcommands of {@code sockctl}. */
package dev.sockact.cli.sockctl;
