package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;

/** Client-side helpers: connect to the proxy, round-trip bytes, read until the proxy closes. */
final class ProxyClients {
    private ProxyClients() {
        throw new AssertionError();
    }

    /** What a client read before the connection ended, and whether it ended with a reset. */
    record Ending(byte[] data, boolean reset) {
    }

    /** A client connected to 127.0.0.1:port; reads time out after the test deadline. */
    static Socket connect(int port) {
        try {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.setSoTimeout((int) ProxyProcess.DEADLINE.toMillis());
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code data} and reads back exactly as many bytes (echo backend); fails on EOF. */
    static byte[] roundTrip(Socket socket, byte[] data) {
        try {
            socket.getOutputStream().write(data);
            socket.getOutputStream().flush();
            return socket.getInputStream().readNBytes(data.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts one byte goes through the proxy to an echo backend and back. */
    static void assertRelayed(Socket socket) {
        assertThat(roundTrip(socket, new byte[] {42})).as("echoed byte").containsExactly(42);
    }

    /** Reads until EOF or a reset (within the socket's timeout): what the client sees when the proxy lets go. */
    static Ending readUntilClosed(Socket socket) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                all.write(buffer, 0, n);
            }
            return new Ending(all.toByteArray(), false);
        } catch (SocketException e) {
            // "Connection reset": the proxy closed with unread data; as final as EOF.
            return new Ending(all.toByteArray(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // cleanup
        }
    }

    /**
     * Writes {@code message} (from another thread, so a message larger than the socket buffers cannot deadlock) and
     * reads as many bytes back from an echoing peer.
     */
    static void echoRoundTrip(Socket socket, byte[] message) throws Exception {
        OutputStream out = socket.getOutputStream();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                out.write(message);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(socket.getInputStream().readNBytes(message.length)).hasSize(message.length);
        writer.join();
    }
}
