package dev.sockact.proxy;

import dev.sockact.posix.Fd;

/**
 * A listening socket and where its clients go. Several listeners may share one {@link TargetResolver} (one
 * target for every socket, systemd's form) or each have their own.
 *
 * @param socket a listening stream socket in non-blocking mode; the engine does not close it
 * @param target where each accepted client is connected
 */
public record ProxyListener(Fd socket, TargetResolver target) {
}
