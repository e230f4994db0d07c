package dev.sockact.proxy;

import static dev.sockact.proxy.ProxyClients.assertRelayed;
import static dev.sockact.proxy.ProxyClients.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockact.proxy.ProxyProcess.Activator;
import dev.sockact.proxy.ProxyProcess.Proxyd;
import dev.sockact.proxy.ProxyProcess.Setup;
import dev.sockact.proxy.TestBackends.Backend;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** --exit-idle-time: exit 0 after the span without a connection; never while one is open. */
class ProxyIdleExitIT extends ProxyTestBase {

    /** Started at once (--now), so no client ever comes. */
    private ProxyProcess startedWithoutClient(Proxyd proxyd, String target) {
        return startedWithoutClient(proxyd, target, "1s");
    }

    private ProxyProcess startedWithoutClient(Proxyd proxyd, String target, String idleTime) {
        return keep(ProxyProcess.activated(dir, Activator.SOCKACT,
                List.of("--now", "-l", "127.0.0.1:" + ProxyProcess.freePort()), proxyd,
                List.of("--exit-idle-time=" + idleTime, target)));
    }

    @Test
    void exitsWhenNoClientEverCameWhereSystemdRunsOn() {
        Backend backend = keep(TestBackends.echo());
        ProxyProcess systemd = null;
        if (Files.isExecutable(Path.of(ProxyProcess.SYSTEMD_PROXYD))) {
            systemd = startedWithoutClient(Proxyd.SYSTEMD, backend.target());
        }
        ProxyProcess ours = startedWithoutClient(Proxyd.SOCKACT, backend.target());

        ours.assertExitStatus(0);
        assumeTrue(systemd != null, ProxyProcess.SYSTEMD_PROXYD + " not installed: only ours was checked");
        // Started before ours and so idle at least as long: systemd 252 never arms the timer without a first client.
        assertThat(systemd.isAlive()).as("systemd-socket-proxyd still running; log:%n%s", systemd.log()).isTrue();
    }

    @Test
    void exitsWhenIdleWithListenAndNoParent() {
        Backend backend = keep(TestBackends.echo());
        ProxyProcess ours = keep(ProxyProcess.start(dir, List.of(ProxyProcess.OUR_PROXYD,
                "--listen=127.0.0.1:" + ProxyProcess.freePort(), "--exit-idle-time=500ms", backend.target())));
        ours.assertExitStatus(0);
    }

    @ParameterizedTest
    @EnumSource(names = {"OURS_UNDER_SOCKACT", "OURS_UNDER_SYSTEMD"})
    void staysWhileAClientIsOpenAndExitsAfterItCloses(Setup setup) throws Exception {
        Backend backend = keep(TestBackends.echo());
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(setup.start(dir, port, "--exit-idle-time=1s", backend.target()));

        Socket client = keep(connect(port));
        assertRelayed(client);
        // The clock is a twin with twice the idle time and no client: once it has exited idle, this proxy has
        // held its client open past its own idle time twice over.
        startedWithoutClient(Proxyd.SOCKACT, backend.target(), "2s").assertExitStatus(0);
        assertThat(proxy.isAlive()).as("alive with a client open; log:%n%s", proxy.log()).isTrue();
        assertRelayed(client);

        client.close();
        proxy.assertExitStatus(0);
    }
}
