package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * --proxy-protocol=v1|v2 read by real parsers: nginx's {@code listen ... proxy_protocol} ($proxy_protocol_addr,
 * $proxy_protocol_port) and haproxy's {@code accept-proxy} (%[src], %[src_port]) each answer with the client address
 * they were told, which must be the test client's own.
 */
class ProxyProtocolIT extends ProxyTestBase {
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    @ParameterizedTest(name = "nginx reads {0}")
    @ValueSource(strings = {"v1", "v2"})
    void nginxReceivesTheClientsAddress(String version) throws IOException {
        int backend = nginx();
        int port = ProxyProcess.freePort();
        keep(ProxyProcess.activated(dir, port, "--proxy-protocol=" + version, "127.0.0.1:" + backend));
        assertClientAddressArrives(port);
    }

    @ParameterizedTest(name = "haproxy reads {0}")
    @ValueSource(strings = {"v1", "v2"})
    void haproxyReceivesTheClientsAddress(String version) throws IOException {
        int backend = haproxy();
        int port = ProxyProcess.freePort();
        keep(ProxyProcess.activated(dir, port, "--proxy-protocol=" + version, "127.0.0.1:" + backend));
        assertClientAddressArrives(port);
    }

    /** A UNIX-socket client has no IP address: v1 says UNKNOWN, v2 AF_UNIX, and nginx serves it without one. */
    @ParameterizedTest(name = "UNIX client, {0}")
    @ValueSource(strings = {"v1", "v2"})
    void unixClientIsServedWithoutAnAddress(String version) throws IOException {
        int backend = nginx();
        Path socket = dir.resolve("proxy.sock");
        ProxyProcess proxy = keep(ProxyProcess.start(dir, List.of(ProxyProcess.OUR_PROXYD, "--listen=" + socket,
                "--proxy-protocol=" + version, "127.0.0.1:" + backend)));
        // The node exists from bind(2) on, before listen(2): wait for the listening flag instead.
        proxy.awaitCondition(() -> isListening(socket), "the proxy to listen on " + socket);
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(socket));
            TestBackends.writeFully(client, ByteBuffer.wrap(request()));
            String reply = new String(TestBackends.readToEof(client), StandardCharsets.US_ASCII);
            assertThat(reply).as("log:%n%s", proxy.log()).startsWith("HTTP/1.1 200").endsWith("addr= port=\n");
        }
    }

    /**
     * A target that speaks first (an SMTP server, say) waits for the header before its greeting: it gets the header
     * though the client sends nothing, once the header's wait for the client's first bytes ends.
     */
    @Test
    void aTargetThatSpeaksFirstGetsTheHeaderWhileTheClientSaysNothing() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            int port = ProxyProcess.freePort();
            keep(ProxyProcess.activated(dir, port, "--proxy-protocol=v1", "127.0.0.1:" + backend.getLocalPort()));
            Thread server = Thread.ofPlatform().start(() -> {
                try (Socket peer = backend.accept()) {
                    String header = readLine(peer.getInputStream());
                    peer.getOutputStream().write(("220 ready for " + header + "\r\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (Socket client = new Socket("127.0.0.1", port)) {
                String greeting = readLine(client.getInputStream());
                assertThat(greeting).isEqualTo("220 ready for PROXY TCP4 127.0.0.1 127.0.0.1 " + client.getLocalPort()
                        + " " + port);
            }
            server.join();
        }
    }

    /** The client writes only once the header has reached the target alone: its bytes follow the header, in order. */
    @Test
    void bytesTheClientSendsAfterTheHeaderFollowIt() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            int port = ProxyProcess.freePort();
            keep(ProxyProcess.activated(dir, port, "--proxy-protocol=v1", "127.0.0.1:" + backend.getLocalPort()));
            CountDownLatch headerArrived = new CountDownLatch(1);
            CompletableFuture<String> received = new CompletableFuture<>();
            Thread server = Thread.ofPlatform().start(() -> {
                try (Socket peer = backend.accept()) {
                    String header = readLine(peer.getInputStream());
                    headerArrived.countDown();
                    received.complete(header + "|" + new String(peer.getInputStream().readAllBytes(),
                            StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    received.completeExceptionally(e);
                }
            });
            try (Socket client = new Socket("127.0.0.1", port)) {
                assertThat(headerArrived.await(30, TimeUnit.SECONDS)).as("the header reached the target").isTrue();
                client.getOutputStream().write("late bytes".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo("PROXY TCP4 127.0.0.1 127.0.0.1 "
                        + client.getLocalPort() + " " + port + "|late bytes");
            }
            server.join();
        }
    }

    /** One line, without its CRLF. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** Whether /proc/net/unix lists {@code socket} with __SO_ACCEPTCON (00010000) in its flags: listening. */
    private static boolean isListening(Path socket) {
        try (var lines = Files.lines(Path.of("/proc/net/unix"))) {
            return lines.map(l -> l.trim().split("\\s+"))
                    .anyMatch(f -> f.length >= 8 && f[7].equals(socket.toString()) && f[3].equals("00010000"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Several requests on new connections: the header precedes each client's bytes, never mixed into them. */
    private void assertClientAddressArrives(int port) throws IOException {
        for (int i = 0; i < 3; i++) {
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", port));
                client.getOutputStream().write(request());
                String reply = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(reply).startsWith("HTTP/1.").contains(" 200 ")
                        .endsWith("addr=127.0.0.1 port=" + client.getLocalPort() + "\n");
            }
        }
    }

    private static byte[] request() {
        return "GET / HTTP/1.0\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    /** nginx in the foreground on a free port, every path of it in the test's folder. */
    private int nginx() throws IOException {
        assumeTrue(Files.isExecutable(NGINX), "nginx is not installed (Debian: nginx-light)");
        int port = ProxyProcess.freePort();
        Path conf = dir.resolve("nginx.conf");
        String d = dir.toString();
        Files.writeString(conf, """
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                    server {
                        listen 127.0.0.1:%2$d proxy_protocol;
                        default_type text/plain;
                        return 200 "addr=$proxy_protocol_addr port=$proxy_protocol_port\\n";
                    }
                }
                """.formatted(d, port));
        ProxyProcess nginx = keep(ProxyProcess.start(dir, List.of(NGINX.toString(), "-p", d, "-e", d + "/nginx-error.log",
                "-c", conf.toString())));
        awaitListening(nginx, port);
        return port;
    }

    /** haproxy in the foreground (-db) on a free port, answering itself (no server behind it). */
    private int haproxy() throws IOException {
        assumeTrue(Files.isExecutable(HAPROXY), "haproxy is not installed");
        int port = ProxyProcess.freePort();
        Path conf = dir.resolve("haproxy.cfg");
        Files.writeString(conf, """
                global
                    maxconn 64
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 5s
                    timeout server 5s
                frontend test
                    bind 127.0.0.1:%d accept-proxy
                    http-request return status 200 content-type text/plain lf-string "addr=%%[src] port=%%[src_port]\\n"
                """.formatted(port));
        ProxyProcess haproxy = keep(ProxyProcess.start(dir, List.of(HAPROXY.toString(), "-db", "-f", conf.toString())));
        awaitListening(haproxy, port);
        return port;
    }

    private static void awaitListening(ProxyProcess server, int port) {
        server.awaitCondition(() -> {
            try (Socket _ = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, "a listener on 127.0.0.1:" + port);
    }
}
