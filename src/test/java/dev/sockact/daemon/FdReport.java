package dev.sockact.daemon;

import dev.sockact.activation.ListenFds;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Pipes;
import dev.sockact.posix.Sockets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An activated service for the option read-back tests: checks LISTEN_PID, then prints one line per passed fd
 * ({@code NAME kind=... access=ro|wo|rw ...}, with the socket options or the pipe size read back from the fd itself)
 * and a final {@code end} line to stdout, and holds the fds without reading them until it is stopped, so a
 * readable fd cannot trigger it again.
 */
public final class FdReport {
    private static final String AF_UNIX = "1";
    private static final String AF_INET6 = "10";

    private FdReport() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        List<ListenFds.Passed> fds = ActivatedFds.takeOrExit(env, System.out);
        String[] names = env.getOrDefault("LISTEN_FDNAMES", "").split(":");
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < fds.size(); i++) {
            report.append(i < names.length ? names[i] : "?").append(' ').append(describe(fds.get(i).fd()))
                    .append('\n');
        }
        report.append("end\n");
        System.out.print(report);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static String describe(Fd passed) throws IOException {
        int fd = passed.fd();
        String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        String kind = target.startsWith("socket:") ? "socket" : target.startsWith("pipe:") ? "fifo" : "file";
        if (kind.equals("fifo") || kind.equals("file")) {
            // A FIFO opened by path shows its path, not pipe:[...]: tell it by the pipe-size fcntl working.
            try {
                int size = Pipes.capacity(passed);
                return "kind=fifo access=" + access(fd) + " pipesize=" + size;
            } catch (Exception e) {
                return "kind=file access=" + access(fd) + " path=" + target;
            }
        }
        StringBuilder s = new StringBuilder("kind=socket access=" + access(fd));
        String domain = option(fd, Sockets.SOL_SOCKET, Sockets.SO_DOMAIN);
        s.append(" domain=").append(domain)
                .append(" type=").append(option(fd, Sockets.SOL_SOCKET, Sockets.SO_TYPE))
                .append(" protocol=").append(option(fd, Sockets.SOL_SOCKET, Sockets.SO_PROTOCOL));
        if (domain.equals(AF_UNIX)) {
            // Only AF_UNIX (and netlink) keep these on current kernels; older ones accept them on any socket.
            s.append(" passcred=").append(option(fd, Sockets.SOL_SOCKET, Sockets.SO_PASSCRED))
                    .append(" passsec=").append(option(fd, Sockets.SOL_SOCKET, Sockets.SO_PASSSEC))
                    .append(" passpidfd=").append(option(fd, Sockets.SOL_SOCKET, Sockets.SO_PASSPIDFD))
                    .append(" passrights=").append(option(fd, Sockets.SOL_SOCKET, Sockets.SO_PASSRIGHTS));
        }
        if (domain.equals(AF_INET6)) {
            s.append(" v6only=").append(option(fd, Sockets.IPPROTO_IPV6, Sockets.IPV6_V6ONLY));
        }
        return s.toString();
    }

    private static String option(int fd, int level, int option) {
        try {
            return Integer.toString(Sockets.getIntOption(fd, level, option));
        } catch (Exception e) {
            return "-";
        }
    }

    /** O_ACCMODE of the open file description, from /proc/self/fdinfo (flags are octal there). */
    private static String access(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                int flags = Integer.parseInt(line.substring(6).strip(), 8);
                return switch (flags & 3) {
                    case 0 -> "ro";
                    case 1 -> "wo";
                    default -> "rw";
                };
            }
        }
        return "?";
    }
}
