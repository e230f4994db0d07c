package dev.sockact.daemon;

import dev.sockact.activation.ListenFds;
import dev.sockact.activation.SdNotify;
import dev.sockact.posix.Epoll;
import dev.sockact.posix.Errno;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.Processes;
import dev.sockact.posix.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The activated service of the daemon tests: checks LISTEN_PID against its own pid and LISTEN_FDS/LISTEN_FDNAMES,
 * then serves stream clients on every passed fd: a header line (pid, fd count, names, and socket options read back
 * with getsockopt), then echoes one line. Options: {@code --clients N} (default 1), {@code --notify} (READY=1
 * after setup), {@code --exit CODE} (exit status after serving).
 */
public final class EchoService {
    private EchoService() {
    }

    public static void main(String[] args) throws Exception {
        int clients = 1;
        int exitCode = 0;
        boolean notify = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--exit" -> exitCode = Integer.parseInt(args[++i]);
                case "--notify" -> notify = true;
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        Map<String, String> env = System.getenv();
        List<ListenFds.Passed> fds = ActivatedFds.takeOrExit(env, System.err);
        int pid = Processes.pid();
        StringBuilder header = new StringBuilder("pid=" + pid + " fds=" + fds.size() + " names="
                + env.get("LISTEN_FDNAMES"));
        for (ListenFds.Passed p : fds) {
            header.append(' ').append(describe(p.fd().fd()));
        }
        header.append('\n');
        if (notify) {
            Optional<SdNotify> n = SdNotify.fromEnvironment(env);
            if (n.isPresent()) {
                n.get().send("STATUS=serving\nREADY=1");
            }
        }
        System.out.println("echo service " + pid + " up with " + fds.size() + " fds");
        Epoll epoll = Epoll.create(16);
        for (int i = 0; i < fds.size(); i++) {
            epoll.add(fds.get(i).fd().fd(), Epoll.EPOLLIN, i + 1);
        }
        int served = 0;
        while (served < clients) {
            int n = epoll.await(60_000);
            if (n == 0) {
                break;
            }
            for (int i = 0; i < n && served < clients; i++) {
                Fd listener = fds.get((int) epoll.readyToken(i) - 1).fd();
                int c = Sockets.acceptRaw(listener.fd(), 0);
                if (c == -Errno.EAGAIN.number()) {
                    continue;
                }
                try (Fd _ = Fd.adopt(c)) {
                    Io.setNonBlocking(c, false);
                    Io.writeFully(c, header.toString().getBytes(StandardCharsets.UTF_8), "client");
                    String line = readLine(c);
                    Io.writeFully(c, (line + "\n").getBytes(StandardCharsets.UTF_8), "client");
                }
                served++;
            }
        }
        System.out.println("echo service " + pid + " served " + served);
        System.exit(exitCode);
    }

    private static String describe(int fd) {
        StringBuilder s = new StringBuilder("fd" + fd);
        int[][] options = {
            {Sockets.SOL_SOCKET, Sockets.SO_TYPE}, {Sockets.SOL_SOCKET, Sockets.SO_KEEPALIVE},
            {Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY}, {Sockets.SOL_SOCKET, Sockets.SO_MARK},
            {Sockets.SOL_SOCKET, Sockets.SO_PRIORITY}, {Sockets.SOL_SOCKET, Sockets.SO_RCVBUF},
            {Sockets.IPPROTO_IP, Sockets.IP_TTL}, {Sockets.SOL_SOCKET, Sockets.SO_REUSEPORT},
            {Sockets.IPPROTO_TCP, Sockets.TCP_KEEPIDLE}, {Sockets.IPPROTO_TCP, Sockets.TCP_KEEPINTVL},
            {Sockets.IPPROTO_TCP, Sockets.TCP_KEEPCNT}, {Sockets.SOL_SOCKET, Sockets.SO_SNDBUF},
            {Sockets.IPPROTO_IP, Sockets.IP_TOS}, {Sockets.IPPROTO_IP, Sockets.IP_FREEBIND},
            {Sockets.IPPROTO_IP, Sockets.IP_TRANSPARENT}, {Sockets.SOL_SOCKET, Sockets.SO_BROADCAST},
            {Sockets.IPPROTO_IP, Sockets.IP_PKTINFO}, {Sockets.SOL_SOCKET, Sockets.SO_TIMESTAMP},
            {Sockets.SOL_SOCKET, Sockets.SO_PASSCRED}, {Sockets.SOL_SOCKET, Sockets.SO_PASSSEC},
            {Sockets.IPPROTO_TCP, Sockets.TCP_DEFER_ACCEPT},
        };
        String[] names = {"type", "keepalive", "nodelay", "mark", "priority", "rcvbuf", "ttl", "reuseport", "keepidle",
            "keepintvl", "keepcnt", "sndbuf", "tos", "freebind", "transparent", "broadcast", "pktinfo", "timestamp",
            "passcred", "passsec", "deferaccept"};
        for (int i = 0; i < options.length; i++) {
            String value;
            try {
                value = Integer.toString(Sockets.getIntOption(fd, options[i][0], options[i][1]));
            } catch (Exception e) {
                value = "-";
            }
            s.append(i == 0 ? ":" : ",").append(names[i]).append('=').append(value);
        }
        int[][] strings = {{Sockets.SOL_SOCKET, Sockets.SO_BINDTODEVICE}, {Sockets.IPPROTO_TCP, Sockets.TCP_CONGESTION}};
        String[] stringNames = {"device", "congestion"};
        for (int i = 0; i < strings.length; i++) {
            String value;
            try {
                value = Sockets.getStringOption(fd, strings[i][0], strings[i][1]);
            } catch (Exception e) {
                value = "-";
            }
            s.append(',').append(stringNames[i]).append('=').append(value.isEmpty() ? "-" : value);
        }
        return s.toString();
    }

    private static String readLine(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(1);
            StringBuilder line = new StringBuilder();
            while (line.length() < 4096) {
                long n = Io.readRaw(fd, b, 1);
                if (n <= 0) {
                    break;
                }
                byte c = b.get(ValueLayout.JAVA_BYTE, 0);
                if (c == '\n') {
                    break;
                }
                line.append((char) c);
            }
            return line.toString();
        }
    }
}
