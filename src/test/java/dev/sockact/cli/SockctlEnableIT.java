package dev.sockact.cli;

import dev.sockact.daemon.Enablement;
import dev.sockact.testing.Clients;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import dev.sockact.testing.Sockctl.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.sockact.testing.DaemonProcess.echoService;
import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;

/** sockctl enable/disable [--now] and list-units against a real sockactd, across daemon restarts. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SockctlEnableIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);
    private Path units;
    private int aPort;
    private int bPort;

    private DaemonProcess daemon() throws IOException {
        return daemons.start();
    }

    private Run ctl(String... args) throws IOException, InterruptedException {
        return daemons.ctl(args);
    }

    /** a.socket (with [Install]), b.socket (without), each with its echo service. */
    private void writeUnits() throws IOException {
        units = daemons.units();
        aPort = freeTcpPort();
        bPort = freeTcpPort();
        Files.writeString(units.resolve("a.socket"), "[Unit]\nDescription=Socket A\n[Socket]\nListenStream=127.0.0.1:"
                + aPort + "\n[Install]\nWantedBy=sockets.target\n");
        Files.writeString(units.resolve("a.service"), "[Service]\nExecStart=" + echoService("--clients 1") + "\n");
        Files.writeString(units.resolve("b.socket"), "[Socket]\nListenStream=127.0.0.1:" + bPort + "\n");
        Files.writeString(units.resolve("b.service"), "[Service]\nExecStart=" + echoService("--clients 1") + "\n");
    }

    private DaemonProcess restart(DaemonProcess old) throws Exception {
        assertThat(old.terminate()).isZero();
        DaemonProcess fresh = daemon();
        fresh.await("Loaded ");   // its control socket answers from here on, even when nothing starts
        return fresh;
    }

    @Test
    void enableDisableAndWhatStartsWithTheDaemon() throws Exception {
        writeUnits();
        DaemonProcess d = daemon();
        // Nothing enabled or disabled: every socket unit starts, as before.
        d.await("Listening on Socket A.");
        d.await("Listening on b.socket.");

        Run unknown = ctl("enable", "nope.socket");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("Failed to enable unit: Unit file nope.socket does not exist.\n");
        assertThat(ctl("disable", "nope").err()).isEqualTo("Failed to disable unit: Unit file nope.service does not exist.\n");

        Run noInstall = ctl("enable", "b.socket");
        assertThat(noInstall.status()).isZero();
        assertThat(noInstall.err()).startsWith("The unit files have no installation config (WantedBy=, RequiredBy=, Also=,\n");
        assertThat(units.resolve(Enablement.MARKER)).doesNotExist();

        Run enable = ctl("enable", "a.socket");
        assertThat(enable.status()).as(enable.err()).isZero();
        Path link = units.resolve("sockets.target.wants/a.socket");
        assertThat(enable.err()).isEqualTo("Created symlink " + link + " → " + units.resolve("a.socket") + ".\n"
                + "Enablement is now in use in " + units + ": from its next start, sockactd starts only the enabled"
                + " units.\n");
        assertThat(Files.readSymbolicLink(link)).isEqualTo(units.resolve("a.socket"));
        assertThat(ctl("status", "a.socket").out()).contains("Loaded: loaded (" + units.resolve("a.socket")
                + "; enabled; preset: enabled)");
        assertThat(ctl("status", "b.socket").out()).contains("Loaded: loaded (" + units.resolve("b.socket") + "; static)");

        // The next start starts only the enabled unit.
        d = restart(d);
        d.await("Listening on Socket A.");
        assertThat(Clients.connects(aPort)).isTrue();
        assertThat(Clients.connects(bPort)).isFalse();
        assertThat(ctl("list-units").out()).contains("a.socket").doesNotContain("b.socket");

        // Disabling the last enabled unit keeps enablement in use: nothing starts.
        Run disable = ctl("disable", "a.socket");
        assertThat(disable.status()).isZero();
        assertThat(disable.err()).isEqualTo("Removed \"" + link + "\".\n");
        assertThat(link).doesNotExist();
        assertThat(Clients.connects(aPort)).as("disable without --now leaves the unit running").isTrue();
        d = restart(d);
        assertThat(ctl("list-units", "--all").out()).contains("a.socket  loaded inactive dead");
        assertThat(Clients.connects(aPort)).isFalse();

        // Removing the marker brings back "every socket unit starts".
        Files.delete(units.resolve(Enablement.MARKER));
        d = restart(d);
        d.await("Listening on Socket A.");
        d.await("Listening on b.socket.");
    }

    @Test
    void nowStartsAndStops() throws Exception {
        writeUnits();
        DaemonProcess d = daemon();
        d.await("Listening on b.socket.");
        assertThat(ctl("stop", "a.socket").status()).isZero();
        assertThat(Clients.connects(aPort)).isFalse();

        Run enable = ctl("enable", "--now", "a.socket");
        assertThat(enable.status()).as(enable.err()).isZero();
        assertThat(Clients.connects(aPort)).isTrue();
        // That connection started a.service, which holds the listening socket (fd 3) until it has served its one
        // client: while it runs, the port answers whatever the socket unit's state, as under systemd.
        d.await("a.service: Main process exited");
        Run disable = ctl("disable", "--now", "a.socket");
        assertThat(disable.status()).as(disable.err()).isZero();
        assertThat(disable.err()).startsWith("Removed \"");
        assertThat(Clients.connects(aPort)).isFalse();
        assertThat(ctl("status", "a.socket").out()).contains("; disabled; preset: enabled)");
    }

    @Test
    void listUnitsTypesAndAll() throws Exception {
        writeUnits();
        DaemonProcess d = daemon();
        d.await("Listening on b.socket.");
        assertThat(ctl("stop", "b.socket").status()).isZero();

        Run active = ctl("list-units");
        assertThat(active.status()).isZero();
        assertThat(active.out()).isEqualTo("""
                  UNIT     LOAD   ACTIVE SUB       DESCRIPTION
                  a.socket loaded active listening Socket A

                LOAD   = Reflects whether the unit definition was properly loaded.
                ACTIVE = The high-level unit activation state, i.e. generalization of SUB.
                SUB    = The low-level unit activation state, values depend on unit type.
                1 loaded units listed. Pass --all to see loaded but inactive units, too.
                """);
        assertThat(ctl("list-units", "--all", "--type=service", "--no-legend").out()).isEqualTo("""
                  a.service loaded inactive dead a.service
                  b.service loaded inactive dead b.service
                """);
        Run all = ctl("list-units", "-a", "-t", "socket");
        assertThat(all.out()).contains("  b.socket loaded inactive dead      b.socket\n").endsWith("2 loaded units listed.\n");
        Run bad = ctl("list-units", "--type=timer");
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("Unknown unit type or load state 'timer'.\nUse -t help to see a list of allowed values.\n");
    }
}
