/**
 * Text forms shared by {@code posix}, {@code unit} and {@code daemon}: IPv6 addresses in RFC 5952 form ({@link
 * dev.sockact.text.Ipv6Text}), signal names ({@link dev.sockact.text.SignalNames}) and systemd's exit status names
 * * ({@link dev.sockact.text.ExitStatusNames}), and getopt_long for the commands on the activation path ({@link
 * dev.sockact.text.Getopt}). Pure Java; depends on no other package of ours, so that every
 * package can use it.
 */
package dev.sockact.text;
