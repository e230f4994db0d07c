/**
 * The FFM bindings to libc and nothing else: one downcall per system call through {@link dev.sockact.posix.Native},
 * errno captured and named in {@link dev.sockact.posix.ErrnoException}, owned descriptors ({@link
 * dev.sockact.posix.Fd}), socket addresses, epoll, pipes, spawning and processes, namespaces. Depends only on
 * {@code text}; never on a package above it ({@code event}, {@code activation}, {@code unit}, {@code proxy},
 * {@code daemon}, {@code cli}). Never logs above debug: it throws, or returns {@code -errno} on hot paths.
 */
package dev.sockact.posix;
