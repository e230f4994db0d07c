package dev.sockact.daemon;

import dev.sockact.testing.Await;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PollLimitIntervalSec=/PollLimitBurst= against a real connection flood on loopback. The installed systemd (252)
 * predates the setting, so this follows systemd 255's documented behaviour (systemd.socket(5), NEWS 255: "when the
 * limit is hit the socket is paused for the rest of the interval instead of failing"), with systemd's defaults: an
 * Accept=yes socket that a flood used to fail with trigger-limit-hit (systemd#15633) keeps listening and serves the
 * next client once the flood is over. With PollLimitIntervalSec=0 the same flood fails it, as in systemd 252.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PollLimitIT {
    /** How long the flood lasts: three poll-limit intervals of the default 2 s. */
    private static final long FLOOD_NANOS = TimeUnit.SECONDS.toNanos(6);
    private static final int FLOOD_THREADS = 4;

    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    /**
     * The limits are systemd's defaults; only the backlog is smaller (512), so that the connections the flood leaves
     * queued (closed by their clients, each still accepted at the poll limit's pace) are drained in seconds, while
     * the kernel still completes far more connections than the limits allow per interval. Each instance waits 2 s
     * before it answers, so MaxConnections= (64) fills at once and the rest of the flood is accepted and closed
     * without a spawn: the flood outruns the poll limit however slowly this machine spawns.
     */
    private void floodUnit(String name, int port, String extra) throws IOException {
        Files.writeString(daemons.units().resolve(name + ".socket"),
                "[Socket]\nListenStream=127.0.0.1:" + port + "\nAccept=yes\nBacklog=512\n" + extra);
        Files.writeString(daemons.units().resolve(name + "@.service"),
                "[Service]\nExecStart=/bin/sh -c 'sleep 2; echo served >&3'\n");
    }

    /**
     * Connects and closes, from {@link #FLOOD_THREADS} threads, until {@link #FLOOD_NANOS} have passed or
     * {@code stop} holds; returns how many connections were made.
     */
    private static long flood(int port, BooleanSupplier stop) throws InterruptedException {
        AtomicLong made = new AtomicLong();
        long end = System.nanoTime() + FLOOD_NANOS;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < FLOOD_THREADS; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end && !stop.getAsBoolean()) {
                    try (Socket s = new Socket()) {
                        // While the socket is paused the backlog fills and SYNs go unanswered: give up and go on.
                        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                        made.incrementAndGet();
                    } catch (IOException e) {
                        // refused, reset or timed out under the flood: the next one
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return made.get();
    }

    /** The instance's answer, or null when the connection was refused (all 64 slots still taken by the flood's). */
    private static String served(int port) {
        try (Socket s = new Socket()) {
            // The flood's connections queued ahead of this one are accepted at the poll limit's pace first.
            s.connect(new InetSocketAddress("127.0.0.1", port), 20_000);
            s.setSoTimeout(20_000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            return null;
        }
    }

    @Test
    void aFloodPausesADefaultAcceptSocketInsteadOfFailingIt() throws Exception {
        int port = freeTcpPort();
        floodUnit("flood", port, "");
        DaemonProcess d = daemons.start();
        d.await("Listening on flood.socket.");
        assertThat(daemons.ctl("status", "flood.socket").out()).contains("Poll limit: 150 per 2s");

        long made = flood(port, () -> false);

        assertThat(made).as("connections made").isGreaterThan(200);
        assertThat(d.log()).contains("flood.socket: Poll limit hit on 127.0.0.1:" + port
                + " (PollLimitBurst=150 per PollLimitIntervalSec=2s), pausing it for the rest of the interval.");
        assertThat(d.log()).doesNotContain("Trigger limit hit");
        Await.until("a client served after the flood", Duration.ofSeconds(150),
                () -> served(port), "served"::equals);
        assertThat(daemons.ctl("show", "-p", "ActiveState", "-p", "SubState", "-p", "Result", "flood.socket").out())
                .isEqualTo("ActiveState=active\nSubState=listening\nResult=success\n");
        String status = daemons.ctl("status", "flood.socket").out();
        assertThat(status).containsPattern("Poll limit: 150 per 2s; paused [0-9]+ times?");
        assertThat(daemons.ctl("show", "-p", "PollLimitIntervalUSec", "-p", "PollLimitBurst", "flood.socket").out())
                .isEqualTo("PollLimitIntervalUSec=2s\nPollLimitBurst=150\n");
        assertThat(d.terminate()).isZero();
    }

    @Test
    void withThePollLimitOffTheSameFloodFailsTheSocket() throws Exception {
        int port = freeTcpPort();
        floodUnit("noflood", port, "PollLimitIntervalSec=0\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on noflood.socket.");
        assertThat(daemons.ctl("status", "noflood.socket").out()).contains("Poll limit: off");

        flood(port, () -> d.log().contains("noflood.socket: Failed with result 'trigger-limit-hit'."));

        d.await("noflood.socket: Trigger limit hit, refusing further activation.");
        d.await("noflood.socket: Failed with result 'trigger-limit-hit'.");
        assertThat(d.log()).doesNotContain("Poll limit hit");
        assertThat(daemons.activeState("noflood.socket")).isEqualTo("failed");
        assertThat(d.terminate()).isZero();
    }
}
