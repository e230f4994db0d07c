package dev.sockact.ctl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** sockctl's side of the control protocol: one request, one reply, within a deadline. */
public final class ControlClient {
    private final Path path;
    private final long timeoutMillis;

    /** Thrown when the daemon cannot be reached; the message is the reason only (strerror-like). */
    public static final class ConnectException extends IOException {
        private static final long serialVersionUID = 1L;

        ConnectException(String reason) {
            super(reason);
        }
    }

    public ControlClient(Path path, long timeoutMillis) {
        this.path = path;
        this.timeoutMillis = timeoutMillis;
    }

    public Path path() {
        return path;
    }

    /**
     * Sends {@code request} and returns the daemon's reply.
     *
     * @throws ConnectException when nothing answers at the path
     * @throws IOException      on a broken or late reply, or a reply in another protocol version
     */
    public Reply call(Request request) throws IOException {
        return exchange(ControlCodec.encode(request));
    }

    /** Sends one raw line (tests use it for foreign versions and malformed requests) and returns the reply. */
    public Reply exchange(String line) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            // Encoded before connecting, sent at once after: the daemon makes room for a new connection by closing
            // the oldest that has sent nothing, so the request must not wait behind this JVM's class loading.
            ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            try {
                channel.connect(UnixDomainSocketAddress.of(path));
            } catch (IOException e) {
                throw new ConnectException(reason(e));
            }
            channel.configureBlocking(false);
            try {
                channel.write(out);
            } catch (IOException e) {
                out.position(out.limit());   // the daemon stopped reading: its reply says why
            }
            SelectionKey key = channel.register(selector, out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    throw new IOException("Timed out waiting for a reply from sockactd at " + path + ".");
                }
                selector.select(left);
                if (out.hasRemaining() && key.isWritable()) {
                    try {
                        channel.write(out);
                    } catch (IOException e) {
                        out.position(out.limit());   // the daemon stopped reading: its reply says why
                    }
                    if (!out.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
                if (key.isValid() && key.isReadable()) {
                    int n = channel.read(in);
                    if (n < 0) {
                        throw new IOException("sockactd at " + path + " closed the connection without a reply.");
                    }
                    in.flip();
                    while (in.hasRemaining()) {
                        byte b = in.get();
                        if (b == '\n') {
                            return parseReply(reply.toString(StandardCharsets.UTF_8));
                        }
                        reply.write(b);
                    }
                    in.clear();
                    if (reply.size() > ControlProtocol.MAX_REPLY) {
                        throw new IOException("Reply from sockactd at " + path + " is too long.");
                    }
                }
                selector.selectedKeys().clear();
            }
        }
    }

    private Reply parseReply(String text) throws IOException {
        try {
            return ControlCodec.decodeReply(text);
        } catch (ControlCodec.VersionMismatch e) {
            throw new IOException("sockactd at " + path + " speaks control protocol version " + e.version()
                    + ", this sockctl speaks version " + ControlProtocol.VERSION + ".");
        } catch (ControlCodec.ProtocolException e) {
            throw new IOException("Bad reply from sockactd at " + path + ": " + e.getMessage());
        }
    }

    private static String reason(IOException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (m.contains("No such file")) {
            return "No such file or directory";
        }
        if (m.contains("Connection refused")) {
            return "Connection refused";
        }
        if (m.contains("Permission denied")) {
            return "Permission denied";
        }
        return m;
    }
}
