package dev.sockact.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** Loopback TCP clients and a tiny HTTP-ish backend, with bounded blocking (read timeouts). */
public final class Clients {
    private static final int TIMEOUT_MILLIS = (int) Await.DEFAULT.toMillis();

    private Clients() {
        throw new AssertionError();
    }

    /** Whether anything accepts a TCP connection on 127.0.0.1:{@code port} (within 5 s). */
    public static boolean connects(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Connects to 127.0.0.1:{@code port}, sends {@code request}, half-closes, and reads the answer to EOF. */
    public static String exchange(int port, String request) throws IOException {
        return exchange(port, request, true);
    }

    /**
     * Like {@link #exchange(int, String)}, but without the half-close when {@code halfClose} is false: for
     * servers that end the whole connection at the client's EOF (systemd-socket-proxyd) and close it themselves.
     */
    public static String exchange(int port, String request, boolean halfClose) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            if (halfClose) {
                socket.shutdownOutput();
            }
            return readToEnd(socket.getInputStream());
        }
    }

    /** Connects and reads to EOF without sending anything. */
    public static String read(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            return readToEnd(socket.getInputStream());
        }
    }

    private static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /**
     * A backend on a free loopback port answering each connection's first line
     * with an HTTP/1.0 response naming it, then closing. Closed with the test.
     */
    public static final class Backend implements AutoCloseable {
        private final ServerSocket server;
        private final AtomicInteger served = new AtomicInteger();

        public Backend() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().name("test-backend").start(this::serve);
        }

        public int port() {
            return server.getLocalPort();
        }

        public int served() {
            return served.get();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(TIMEOUT_MILLIS);
                    StringBuilder line = new StringBuilder();
                    int c;
                    while ((c = s.getInputStream().read()) >= 0 && c != '\n') {
                        line.append((char) c);
                    }
                    String body = "backend saw: " + line.toString().strip() + "\n";
                    s.getOutputStream().write(("HTTP/1.0 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.UTF_8));
                    served.incrementAndGet();
                } catch (IOException e) {
                    // closed by the test, or one bad client: keep serving until closed
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
