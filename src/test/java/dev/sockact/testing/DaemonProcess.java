package dev.sockact.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A running bin/sockactd and everything it logged so far (stderr, read by a virtual thread), with the helpers the
 * daemon tests share: the Java test service's command line, a free loopback port, a one-line echo exchange.
 */
public class DaemonProcess {
    public static final long DEADLINE_MS = 60_000;

    public final Process process;
    private final StringBuilder log = new StringBuilder();
    private final Thread stderrReader;

    public DaemonProcess(Process process) {
        this.process = process;
        this.stderrReader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                        log.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
        });
    }

    public String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    /** Waits until the log holds {@code text} {@code times} times. */
    public String await(String text, int times) throws InterruptedException {
        long end = System.currentTimeMillis() + DEADLINE_MS;
        synchronized (log) {
            while (count(log.toString(), text) < times) {
                long left = end - System.currentTimeMillis();
                assertThat(left).as("waiting for '" + text + "' x" + times + " in:\n" + log).isPositive();
                log.wait(Math.min(left, 200));
            }
            return log.toString();
        }
    }

    public String await(String text) throws InterruptedException {
        return await(text, 1);
    }

    /** SIGTERM, then the exit status. */
    public int terminate() throws InterruptedException {
        process.toHandle().destroy();
        assertThat(process.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)).as(log()).isTrue();
        return process.exitValue();
    }

    /** SIGTERM, then all of stderr: the log once the daemon has exited and its stderr reached its end. */
    public String terminateAndReadLog() throws InterruptedException {
        terminate();
        assertThat(stderrReader.join(Duration.ofMillis(DEADLINE_MS))).as("stderr read to its end").isTrue();
        return log();
    }

    /** SIGTERM, and SIGKILL after 30 s: for {@code @AfterEach}. */
    public void kill() throws InterruptedException {
        if (process.isAlive()) {
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Starts bin/sockactd on {@code units} with its control socket at {@code controlSocket}. */
    public static DaemonProcess start(Path units, Path controlSocket, String... extra) throws IOException {
        return new DaemonProcess(builder(units, controlSocket, extra).start());
    }

    /**
     * bin/sockactd on {@code units} with its control socket at {@code controlSocket}, debug logging, stdout
     * discarded (skips the test when the jar is not built).
     */
    public static ProcessBuilder builder(Path units, Path controlSocket, String... extra) {
        assumeTrue(Files.exists(Path.of("target/sockact.jar")),
                "target/sockact.jar not built");
        List<String> command = new ArrayList<>(List.of(
                Path.of("bin/sockactd").toAbsolutePath().toString(), "--unit-dir", units.toString(),
                "--control-socket", controlSocket.toString()));
        command.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("SOCKACT_LOG_LEVEL", "debug");
        return pb;
    }

    public static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** ExecStart= of the Java test service, dev.sockact.daemon.EchoService. */
    public static String echoService(String args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = Path.of("target/classes").toAbsolutePath() + ":" + Path.of("target/test-classes").toAbsolutePath();
        return java + " --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp " + cp
                + " dev.sockact.daemon.EchoService " + args;
    }

    /** Connects, reads the header line, sends a line and returns header + "|" + echo. */
    public static String talk(int port, String message) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout((int) DEADLINE_MS);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String header = in.readLine();
            OutputStream out = s.getOutputStream();
            out.write((message + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return header + "|" + in.readLine();
        }
    }
}
