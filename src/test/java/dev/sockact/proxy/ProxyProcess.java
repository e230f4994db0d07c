package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A process the proxy tests start (a proxy, usually under a socket-activating
 * parent), its stderr and stdout kept in files, killed with its descendants
 * by {@link #close()}. Also the launch commands of ours and systemd's tools.
 */
final class ProxyProcess implements AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    static final String OUR_ACTIVATE = ROOT.resolve("bin/socket-activate").toString();
    static final String OUR_PROXYD = ROOT.resolve("bin/socket-proxyd").toString();
    static final String SYSTEMD_ACTIVATE = "/usr/bin/systemd-socket-activate";
    static final String SYSTEMD_PROXYD = "/lib/systemd/systemd-socket-proxyd";
    /** Deadline for anything that should happen "at once": generous, never a timing assertion. */
    static final Duration DEADLINE = Duration.ofSeconds(20);

    /** The socket-activating parents a scenario runs under. */
    enum Activator {
        SOCKACT(OUR_ACTIVATE), SYSTEMD(SYSTEMD_ACTIVATE);

        final String path;

        Activator(String path) {
            this.path = path;
        }

        void assumeInstalled() {
            assumeExecutable(path);
        }
    }

    /** The two proxies: ours and the reference. */
    enum Proxyd {
        SOCKACT(OUR_PROXYD), SYSTEMD(SYSTEMD_PROXYD);

        final String path;

        Proxyd(String path) {
            this.path = path;
        }

        void assumeInstalled() {
            assumeExecutable(path);
        }
    }

    /** A proxy under a socket-activating parent: the combinations the scenarios run in. */
    enum Setup {
        OURS_UNDER_SOCKACT(Activator.SOCKACT, Proxyd.SOCKACT),
        OURS_UNDER_SYSTEMD(Activator.SYSTEMD, Proxyd.SOCKACT),
        SYSTEMD_UNDER_SYSTEMD(Activator.SYSTEMD, Proxyd.SYSTEMD);

        final Activator activator;
        final Proxyd proxyd;

        Setup(Activator activator, Proxyd proxyd) {
            this.activator = activator;
            this.proxyd = proxyd;
        }

        boolean isSystemdProxy() {
            return proxyd == Proxyd.SYSTEMD;
        }

        /** Starts this proxy on 127.0.0.1:port with {@code arguments}, once its parent listens. */
        ProxyProcess start(Path dir, int port, String... arguments) {
            return activated(dir, activator, List.of("-l", "127.0.0.1:" + port), proxyd, List.of(arguments));
        }
    }

    private final Process process;
    private final Path stderr;
    private final Path stdout;

    private ProxyProcess(Process process, Path stderr, Path stdout) {
        this.process = process;
        this.stderr = stderr;
        this.stdout = stdout;
    }

    static void assumeExecutable(String path) {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(path)), path + " is not installed");
    }

    /** Starts a command with extra environment variables; output goes to files in {@code dir}. */
    static ProxyProcess start(Path dir, Map<String, String> environment, List<String> command) {
        try {
            Path err = Files.createTempFile(dir, "stderr", ".log");
            Path out = Files.createTempFile(dir, "stdout", ".log");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectError(err.toFile())
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().keySet().removeIf(k -> k.startsWith("LISTEN_") || k.startsWith("NOTIFY_")
                    || k.startsWith("WATCHDOG_") || k.equals("SYSTEMD_LOG_LEVEL") || k.equals("SOCKACT_LOG_LEVEL"));
            builder.environment().putAll(environment);
            return new ProxyProcess(builder.start(), err, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ProxyProcess start(Path dir, List<String> command) {
        return start(dir, Map.of(), command);
    }

    /**
     * {@code activator -l ADDRESS [-E VAR...] proxyd ARGS...}, started once the activator
     * said it listens (its "Listening on" line), so a client can connect at once.
     */
    static ProxyProcess activated(Path dir, Activator activator, List<String> activatorOptions, Proxyd proxyd,
            List<String> proxyArguments) {
        activator.assumeInstalled();
        proxyd.assumeInstalled();
        List<String> command = new ArrayList<>(List.of(activator.path));
        command.addAll(activatorOptions);
        command.add(proxyd.path);
        command.addAll(proxyArguments);
        ProxyProcess p = start(dir, command);
        p.awaitLog("Listening on ");
        return p;
    }

    /** Our proxy under our socket-activate on 127.0.0.1:port. */
    static ProxyProcess activated(Path dir, int port, String... proxyArguments) {
        return activated(dir, Activator.SOCKACT, List.of("-l", "127.0.0.1:" + port), Proxyd.SOCKACT,
                List.of(proxyArguments));
    }

    /**
     * A port free for TCP and for UDP on every address (free now; the caller binds it soon): the tests bind either,
     * on 127.0.0.1 or a wildcard, and a UDP socket another program holds on 127.0.0.1 would take the datagrams a
     * wildcard listener of a test waits for.
     */
    static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1)) {
                int port = s.getLocalPort();
                try (java.net.DatagramSocket _ = new java.net.DatagramSocket(port)) {
                    return port;
                } catch (java.net.SocketException taken) {
                    // in use for UDP: another
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no port free for both TCP and UDP in 100 attempts");
    }

    /** Runs a short command to its end and returns its exit status; stderr is then in {@link #log()}. */
    static ProxyProcess run(Path dir, Map<String, String> environment, List<String> command) {
        ProxyProcess p = start(dir, environment, command);
        p.awaitExit();
        return p;
    }

    /** Runs {@code command} with LISTEN_PID set to its own pid (and the given environment), via sh's exec. */
    static List<String> withOwnListenPid(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", "LISTEN_PID=$$; export LISTEN_PID; exec \"$@\"", "sh"));
        wrapped.addAll(command);
        return wrapped;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Everything written to stderr so far (systemd's tools and ours log there). */
    String log() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String stdout() {
        try {
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many times {@code text} occurs in the log. */
    int logCount(String text) {
        Matcher m = Pattern.compile(Pattern.quote(text)).matcher(log());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Waits until the log contains {@code text}; fails with the log when it does not come. */
    void awaitLog(String text) {
        awaitCondition(() -> log().contains(text), "log to contain \"" + text + "\"");
    }

    /** Waits for the process to end by itself and returns its exit status. */
    int awaitExit() {
        try {
            if (!process.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("process " + pid() + " did not exit within " + DEADLINE + "; log:\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return process.exitValue();
    }

    /** Sends SIGTERM (Process.destroy) and returns the exit status. */
    int terminate() {
        process.destroy();
        return awaitExit();
    }

    /** Number of open descriptors of the process (from /proc/PID/fd). */
    int openDescriptors() {
        try (var entries = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            return (int) entries.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code condition} until it holds, failing with the log after {@link #DEADLINE}. */
    void awaitCondition(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what + "; log:\n" + log());
            }
            pause();
        }
    }

    static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Asserts the process ended with {@code status}, showing the log when not. */
    void assertExitStatus(int status) {
        assertThat(awaitExit()).as("exit status; log:%n%s", log()).isEqualTo(status);
    }

    /** Kills the process and every descendant (socket-activate --accept children). */
    @Override
    public void close() {
        List<ProcessHandle> descendants = process.toHandle().descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
