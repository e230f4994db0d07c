package dev.sockact.daemon;

import dev.sockact.activation.ListenFds;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.Errno;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.Processes;
import dev.sockact.posix.Sockets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The service of the namespace tests: reports what it sees on the first client of its passed socket (fd 3), one
 * line of {@code key=value} words, then waits for that client's next line before it exits, so that the test can
 * look at it while it runs. Options: {@code --listen PORT} (serve "inner" on 127.0.0.1:PORT and check it from
 * here), {@code --connect PORT} (read a line from 127.0.0.1:PORT, retrying while nothing listens yet),
 * {@code --write-tmp NAME} (write /tmp/NAME and /var/tmp/NAME), {@code --read-tmp NAME}.
 */
public final class NamespaceProbe {
    private NamespaceProbe() {
    }

    public static void main(String[] args) throws Exception {
        List<String> report = new ArrayList<>();
        report.add("netns=" + Files.readSymbolicLink(Path.of("/proc/self/ns/net")));
        List<String> interfaces = new ArrayList<>();
        List<String> devices = Files.readAllLines(Path.of("/proc/net/dev"));
        for (String line : devices.subList(2, devices.size())) {
            interfaces.add(line.substring(0, line.indexOf(':')).strip());
        }
        report.add("interfaces=" + String.join(",", interfaces));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--listen" -> report.add("loopback=" + listen(Integer.parseInt(args[++i])));
                case "--connect" -> report.add("peer=" + connect(Integer.parseInt(args[++i])));
                case "--write-tmp" -> {
                    String name = args[++i];
                    Files.writeString(Path.of("/tmp", name), "probe " + Processes.pid());
                    Files.writeString(Path.of("/var/tmp", name), "probe " + Processes.pid());
                    report.add("wrote=" + name);
                }
                case "--read-tmp" -> {
                    Path file = Path.of("/tmp", args[++i]);
                    report.add("tmp=" + (Files.exists(file) ? Files.readString(file).replace(' ', '_') : "missing"));
                }
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        serveOneClient(String.join(" ", report) + "\n");
        System.exit(0);
    }

    /** Serves "inner" on 127.0.0.1:port from a daemon thread and checks that it is reachable from here. */
    private static String listen(int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread.ofPlatform().daemon().start(() -> {
            while (true) {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write("inner\n".getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return "inner".equals(readLineFrom(port)) ? "ok" : "broken";
    }

    private static String connect(int port) throws InterruptedException {
        long end = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                return readLineFrom(port);
            } catch (IOException e) {
                if (System.currentTimeMillis() > end) {
                    return "unreachable";
                }
                Thread.sleep(100);
            }
        }
    }

    private static String readLineFrom(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            s.setSoTimeout(30_000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    /** Accepts one client on the passed socket, sends the report, and returns once the client sends a line. */
    private static void serveOneClient(String report) throws Exception {
        List<ListenFds.Passed> fds = ListenFds.fromEnvironment(System.getenv(), Processes.pid());
        Fd listener = fds.getFirst().fd();
        Epoll epoll = Epoll.create(1);
        epoll.add(listener.fd(), Epoll.EPOLLIN, 1);
        while (true) {
            if (epoll.await(120_000) == 0) {
                return;
            }
            int c = Sockets.acceptRaw(listener.fd(), 0);
            if (c == -Errno.EAGAIN.number()) {
                continue;
            }
            try (Fd _ = Fd.adopt(c)) {
                Io.setNonBlocking(c, false);
                Io.writeFully(c, report.getBytes(StandardCharsets.UTF_8), "client");
                try (var arena = Arena.ofConfined()) {
                    Io.readRaw(c, arena.allocate(64), 64);
                }
            }
            return;
        }
    }
}
