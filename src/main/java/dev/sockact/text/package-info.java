/**
 * Text forms shared by the packages below {@code daemon}: IPv6 addresses in RFC 5952 form ({@link
 * dev.sockact.text.Ipv6Text}) and signal names ({@link dev.sockact.text.SignalNames}). Pure Java; depends on no other
 * package of ours, so that {@code posix} and {@code unit} can both use it.
 */
package dev.sockact.text;
