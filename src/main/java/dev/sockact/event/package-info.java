/**
 * The event loop: one thread, one epoll ({@link dev.sockact.event.EventLoop}) with fd watches, timers, child exits
 * through pidfds and tasks posted from other threads. Depends only on {@code posix}; never on {@code activation},
 * {@code unit}, {@code proxy}, {@code daemon} or {@code cli}. Never logs above debug.
 */
package dev.sockact.event;
