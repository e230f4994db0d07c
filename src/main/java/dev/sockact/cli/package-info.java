/**
 * The entry points of the four tools ({@code socket-activate}, {@code socket-proxyd}, {@code sockactd},
 * {@code sockctl}), their option parsing ({@link dev.sockact.text.Getopt}, picocli) and the AOT training run. The
 * top of the module: it may use every package, and no package depends on it. Only this package calls
 * {@link System#exit}.
 */
package dev.sockact.cli;
