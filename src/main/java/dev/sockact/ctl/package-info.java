/**
 * The control protocol between {@code sockctl} and {@code sockactd}: the protocol's names, a small JSON reader and
 * writer, and the client side of the control socket. Depends on no other package of ours, so that both ends can
 * use it; never on {@code daemon} or {@code cli}.
 */
package dev.sockact.ctl;
