package dev.sockact.proxy;

import dev.sockact.activation.ListenSockets;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Backends the proxy forwards to, run in the test JVM: a listener (TCP, UNIX
 * path, or abstract through the project's FFM sockets) with one virtual
 * thread per connection running a {@link Handler}. Connections stay open
 * until the handler returns or the backend is closed.
 */
final class TestBackends {
    private TestBackends() {
        throw new AssertionError();
    }

    /** What a backend does with one accepted connection (blocking channel). */
    @FunctionalInterface
    interface Handler {
        void handle(SocketChannel connection) throws IOException, InterruptedException;
    }

    /** A running backend: {@link #target()} is the proxy argument that reaches it. */
    interface Backend extends AutoCloseable {
        String target();

        /** Connections accepted so far. */
        int accepted();

        @Override
        void close();
    }

    /** Echoes every byte until the client's EOF, then closes. */
    static final Handler ECHO = connection -> {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (connection.read(buffer) >= 0) {
            buffer.flip();
            writeFully(connection, buffer);
            buffer.clear();
        }
    };

    /** Reads the request up to the client's EOF, waits {@code delay}, sends {@code reply}, then closes. */
    static Handler replyAfterEof(Duration delay, byte[] reply, CompletableFuture<byte[]> request) {
        return connection -> {
            request.complete(readToEof(connection));
            Thread.sleep(delay);
            writeFully(connection, ByteBuffer.wrap(reply));
        };
    }

    /**
     * Sends {@code data}, shuts down its write side (FIN), then reads what the client
     * still sends up to EOF (or a reset) into {@code received}.
     */
    static Handler sendThenFin(byte[] data, CompletableFuture<byte[]> received) {
        return connection -> {
            writeFully(connection, ByteBuffer.wrap(data));
            connection.shutdownOutput();
            try {
                received.complete(readToEof(connection));
            } catch (IOException e) {
                received.completeExceptionally(e);
            }
        };
    }

    /** TCP backend on {@code host}, any free port. */
    static Backend tcp(InetAddress host, Handler handler) {
        return tcp(new InetSocketAddress(host, 0), handler);
    }

    static Backend tcp(InetSocketAddress address, Handler handler) {
        try {
            ServerSocketChannel server = ServerSocketChannel.open(address.getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            server.bind(address, 4096);
            InetSocketAddress bound = (InetSocketAddress) server.getLocalAddress();
            // The JDK writes ::1 as 0:0:0:0:0:0:0:1; the proxy's users write ::1.
            String host = bound.getAddress().isLoopbackAddress() && bound.getAddress() instanceof Inet6Address
                    ? "::1" : bound.getAddress().getHostAddress();
            String target = bound.getAddress() instanceof Inet6Address ? "[" + host + "]:" + bound.getPort()
                    : host + ":" + bound.getPort();
            return new ChannelBackend(server, target, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Echo on 127.0.0.1. */
    static Backend echo() {
        return tcp(InetAddress.getLoopbackAddress(), ECHO);
    }

    /** UNIX socket backend at {@code path}. */
    static Backend unix(Path path, Handler handler) {
        try {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            return new ChannelBackend(server, path.toString(), handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An echo backend in the abstract namespace ("@name"); the JDK cannot bind those, the project's FFM can. */
    static Backend abstractEcho(String name) {
        try {
            return new AbstractEchoBackend(name);
        } catch (ErrnoException e) {
            throw new AssertionError("cannot listen on @" + name + ": " + e.getMessage(), e);
        }
    }

    static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    static byte[] readToEof(SocketChannel channel) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (channel.read(buffer) >= 0) {
            all.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return all.toByteArray();
    }

    /** A JDK channel listener (TCP or UNIX path). */
    private static final class ChannelBackend implements Backend {
        private final ServerSocketChannel server;
        private final String target;
        private final Handler handler;
        private final AtomicInteger accepted = new AtomicInteger();
        private final Queue<SocketChannel> open = new ConcurrentLinkedQueue<>();
        private final Thread acceptor;

        ChannelBackend(ServerSocketChannel server, String target, Handler handler) {
            this.server = server;
            this.target = target;
            this.handler = handler;
            this.acceptor = Thread.ofVirtual().name("backend-accept-" + target).start(this::acceptLoop);
        }

        private void acceptLoop() {
            while (server.isOpen()) {
                SocketChannel connection;
                try {
                    connection = server.accept();
                } catch (IOException e) {
                    return;
                }
                accepted.incrementAndGet();
                open.add(connection);
                Thread.ofVirtual().start(() -> {
                    try (connection) {
                        handler.handle(connection);
                    } catch (IOException | InterruptedException e) {
                        // the client or the test went away: nothing to serve
                    } finally {
                        open.remove(connection);
                    }
                });
            }
        }

        @Override
        public String target() {
            return target;
        }

        @Override
        public int accepted() {
            return accepted.get();
        }

        @Override
        public void close() {
            try {
                server.close();
                acceptor.join(Duration.ofSeconds(5));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (SocketChannel c; (c = open.poll()) != null; ) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            if (target.startsWith("/")) {
                Path.of(target).toFile().delete();
            }
        }
    }

    /** Echo over an abstract AF_UNIX listener, with blocking FFM calls on platform threads. */
    private static final class AbstractEchoBackend implements Backend {
        private final String name;
        private final Fd listener;
        private final AtomicInteger accepted = new AtomicInteger();
        private final Queue<Fd> open = new ConcurrentLinkedQueue<>();
        private final Thread acceptor;

        AbstractEchoBackend(String name) throws ErrnoException {
            this.name = name;
            this.listener = ListenSockets.open(new SockAddr.UnixAbstract(name),
                    ListenSockets.Options.activateDefaults(Sockets.SOCK_STREAM));
            this.acceptor = Thread.ofPlatform().daemon().name("abstract-accept").start(this::acceptLoop);
        }

        private void acceptLoop() {
            while (true) {
                Fd connection;
                try {
                    connection = Sockets.accept(listener, 0);
                } catch (ErrnoException e) {
                    return;
                }
                accepted.incrementAndGet();
                open.add(connection);
                Thread.ofPlatform().daemon().start(() -> echo(connection));
            }
        }

        private void echo(Fd connection) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buffer = arena.allocate(64 * 1024);
                long n;
                while ((n = Io.readRaw(connection.fd(), buffer, buffer.byteSize())) > 0) {
                    long done = 0;
                    while (done < n) {
                        long w = Io.writeRaw(connection.fd(), buffer.asSlice(done), n - done);
                        if (w < 0) {
                            return;
                        }
                        done += w;
                    }
                }
            } finally {
                if (open.remove(connection)) {
                    connection.close();
                }
            }
        }

        @Override
        public String target() {
            return "@" + name;
        }

        @Override
        public int accepted() {
            return accepted.get();
        }

        @Override
        public void close() {
            // shutdown() wakes the blocked accept (EINVAL), then the descriptor can go.
            Sockets.shutdownRaw(listener.fd(), Sockets.SHUT_RDWR);
            try {
                acceptor.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            listener.close();
            for (Fd c; (c = open.poll()) != null; ) {
                Sockets.shutdownRaw(c.fd(), Sockets.SHUT_RDWR);
            }
        }
    }

    /** An address helper for SocketAddress-typed APIs. */
    static SocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
