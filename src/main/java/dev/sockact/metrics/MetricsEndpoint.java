package dev.sockact.metrics;

import dev.sockact.activation.ListenSockets;
import dev.sockact.event.EventLoop;
import dev.sockact.event.Timer;
import dev.sockact.event.Watch;
import dev.sockact.log.RateLimitedLog;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /metrics} over HTTP/1.x on a socket of its own, served by its own thread and event loop, so a
 * scrape never waits for and never delays forwarding or activation. Bounded on every side: at most {@link
 * #MAX_SCRAPERS} connections at once (more are accepted and closed, logged once per burst), a request of at most
 * {@link #MAX_REQUEST_BYTES} that must arrive within {@link #REQUEST_TIMEOUT_NANOS}, and a reply that must be
 * taken within {@link #REPLY_TIMEOUT_NANOS}. One request per connection ({@code Connection: close}).
 */
public final class MetricsEndpoint implements AutoCloseable {
    static final int MAX_SCRAPERS = 4;
    static final int MAX_REQUEST_BYTES = 8192;
    static final long REQUEST_TIMEOUT_NANOS = 5_000_000_000L;
    static final long REPLY_TIMEOUT_NANOS = 10_000_000_000L;

    private final System.Logger log;
    private final RateLimitedLog refused;
    private final List<MetricsSource> sources;
    private final Fd listener;
    private final EventLoop loop;
    private final Thread thread;
    private final AtomicBoolean limitLogged = new AtomicBoolean();
    private int open;

    private MetricsEndpoint(System.Logger log, List<MetricsSource> sources, Fd listener, EventLoop loop) {
        this.log = log;
        this.refused = new RateLimitedLog(log);
        this.sources = List.copyOf(sources);
        this.listener = listener;
        this.loop = loop;
        this.thread = Thread.ofPlatform().daemon().name("metrics").unstarted(this::serve);
    }

    /** Listens on {@code address} and serves in the background until {@link #close}. */
    public static MetricsEndpoint start(SockAddr address, List<MetricsSource> sources, System.Logger log)
            throws ErrnoException {
        Fd listener = ListenSockets.open(address, ListenSockets.Options.activateDefaults(Sockets.SOCK_STREAM));
        EventLoop loop;
        try {
            Io.setNonBlocking(listener.fd(), true);
            loop = EventLoop.create();
        } catch (ErrnoException e) {
            listener.close();
            throw e;
        }
        MetricsEndpoint endpoint = new MetricsEndpoint(log, sources, listener, loop);
        try {
            loop.watch(listener.fd(), Epoll.EPOLLIN, events -> endpoint.accept());
        } catch (ErrnoException e) {
            loop.close();
            listener.close();
            throw e;
        }
        loop.onHandlerFailure(t -> endpoint.refused.log(System.Logger.Level.WARNING, "Metrics request failed: " + t));
        endpoint.thread.start();
        return endpoint;
    }

    /** The address it listens on (with the port the kernel chose for port 0). */
    public SockAddr address() throws ErrnoException {
        return Sockets.localAddress(listener.fd());
    }

    /** The whole scrape, as {@code GET /metrics} answers it. */
    public String scrape() {
        Exposition out = new Exposition();
        for (MetricsSource source : sources) {
            source.collect(out);
        }
        return out.toString();
    }

    private void serve() {
        try {
            loop.run();
        } catch (ErrnoException e) {
            log.log(System.Logger.Level.ERROR, "Metrics endpoint failed: " + e.getMessage());
        } finally {
            loop.close();
            listener.close();
        }
    }

    private void accept() {
        while (true) {
            int fd = Sockets.acceptRaw(listener.fd(), Sockets.SOCK_NONBLOCK);
            if (fd < 0) {
                if (!Errno.isAcceptAgain(-fd)) {
                    refused.log(System.Logger.Level.WARNING, "Failed to accept a metrics connection: "
                            + new ErrnoException("accept4", -fd, null).reason());
                }
                return;
            }
            Fd client = Fd.adopt(fd);
            if (open >= MAX_SCRAPERS) {
                client.close();
                if (limitLogged.compareAndSet(false, true)) {
                    log.log(System.Logger.Level.WARNING, "Hit the limit of " + MAX_SCRAPERS
                            + " metrics connections at once, refusing connection.");
                }
                continue;
            }
            open++;
            new Exchange(client).start();
        }
    }

    /** One scrape: the request read up to its blank line, the reply written, the connection closed. */
    private final class Exchange {
        private final Fd client;
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment request = arena.allocate(MAX_REQUEST_BYTES);
        private long received;
        private MemorySegment reply;
        private long sent;
        private Watch watch;
        private Timer deadline;
        private boolean closed;

        Exchange(Fd client) {
            this.client = client;
        }

        void start() {
            try {
                watch = loop.watch(client.fd(), Epoll.EPOLLIN, this::ready);
            } catch (ErrnoException e) {
                close();
                return;
            }
            deadline = loop.schedule(REQUEST_TIMEOUT_NANOS, this::close);
        }

        private void ready(int events) throws ErrnoException {
            if (reply == null) {
                read();
            } else {
                write();
            }
        }

        private void read() throws ErrnoException {
            long n = Io.readRaw(client.fd(), request.asSlice(received), MAX_REQUEST_BYTES - received);
            if (n == -Errno.EAGAIN.number()) {
                return;
            }
            if (n <= 0) {
                close();
                return;
            }
            received += n;
            String text = new String(request.asSlice(0, received).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0 && text.indexOf("\n\n") >= 0) {
                end = text.indexOf("\n\n");
            }
            if (end < 0) {
                if (received == MAX_REQUEST_BYTES) {
                    respond(431, "Request Header Fields Too Large", "request over " + MAX_REQUEST_BYTES + " bytes\n");
                }
                return;
            }
            String line = text.substring(0, Math.max(0, text.indexOf('\n'))).strip();
            String[] words = line.split(" ");
            if (words.length != 3 || !words[2].startsWith("HTTP/1.")) {
                respond(400, "Bad Request", "not an HTTP/1 request line\n");
            } else if (!words[0].equals("GET") && !words[0].equals("HEAD")) {
                respond(405, "Method Not Allowed", "only GET /metrics\n");
            } else if (!path(words[1]).equals("/metrics")) {
                respond(404, "Not Found", "only GET /metrics\n");
            } else {
                String body = scrape();
                respond(200, "OK", words[0].equals("HEAD") ? "" : body, body.getBytes(StandardCharsets.UTF_8).length);
            }
        }

        private static String path(String target) {
            int query = target.indexOf('?');
            return query < 0 ? target : target.substring(0, query);
        }

        private void respond(int status, String reason, String body) throws ErrnoException {
            respond(status, reason, body, body.getBytes(StandardCharsets.UTF_8).length);
        }

        private void respond(int status, String reason, String body, int length) throws ErrnoException {
            String type = status == 200 ? Exposition.CONTENT_TYPE : "text/plain; charset=utf-8";
            String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                    + length + "\r\nConnection: close\r\n\r\n";
            byte[] bytes = (head + body).getBytes(StandardCharsets.UTF_8);
            reply = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            deadline.cancel();
            deadline = loop.schedule(REPLY_TIMEOUT_NANOS, this::close);
            watch.setInterest(Epoll.EPOLLOUT);
            write();
        }

        private void write() {
            if (closed) {
                return;
            }
            while (sent < reply.byteSize()) {
                long n = Sockets.sendRaw(client.fd(), reply.asSlice(sent), reply.byteSize() - sent,
                        Sockets.MSG_NOSIGNAL);
                if (n == -Errno.EAGAIN.number()) {
                    return;
                }
                if (n < 0) {
                    close();
                    return;
                }
                sent += n;
            }
            close();
        }

        private void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (deadline != null) {
                deadline.cancel();
            }
            if (watch != null) {
                watch.cancelBeforeClose();
            }
            client.close();
            arena.close();
            if (--open < MAX_SCRAPERS) {
                limitLogged.set(false);
            }
        }
    }

    /** Stops serving and closes the socket; safe from any thread. */
    @Override
    public void close() {
        loop.stop();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
