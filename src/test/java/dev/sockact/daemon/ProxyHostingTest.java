package dev.sockact.daemon;

import dev.sockact.proxy.ProxyArguments;
import dev.sockact.unit.HostInfo;
import dev.sockact.unit.ManagerScope;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.load.LoadResult;
import dev.sockact.unit.load.UnitLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The rule of docs/sockactd.md "Hosted socket-proxyd services", on real unit files and real launchers. */
class ProxyHostingTest {
    private static final String OURS = Path.of("bin/socket-proxyd").toAbsolutePath().toString();

    @TempDir
    Path dir;

    private ServiceUnit load(String service) throws IOException {
        return load(dir, service);
    }

    /** {@code service} as p.service in {@code dir}, loaded as a user manager loads it. */
    static ServiceUnit load(Path dir, String service) throws IOException {
        Files.writeString(dir.resolve("p.service"), service);
        UnitLoader loader = new UnitLoader(List.of(dir), HostInfo.current(ManagerScope.USER));
        LoadResult<ServiceUnit> unit = loader.loadService("p.service");
        assertThat(unit.loaded()).as(unit.diagnostics().toString()).isTrue();
        return unit.unit();
    }

    private Optional<ProxyArguments> arguments(ServiceUnit unit) {
        return ProxyHosting.arguments(unit.execStart().getFirst(), Map.of("T", "127.0.0.1:80"), false, false);
    }

    @Test
    void aPlainProxyServiceIsHostedWithItsOptions() throws IOException {
        ServiceUnit unit = load("[Unit]\nRequires=b.service\n[Service]\nExecStart=" + OURS
                + " -c 7 --exit-idle-time=5s --connect-retry=2s $T\nEnvironment=X=1\nRestart=on-failure\n");
        assertThat(ProxyHosting.processSettings(unit)).isEmpty();
        ProxyArguments arguments = arguments(unit).orElseThrow();
        assertThat(arguments.config().connectionsMax()).isEqualTo(7);
        assertThat(arguments.config().idleNanos()).isEqualTo(5_000_000_000L);
        assertThat(arguments.config().connectRetryNanos()).isEqualTo(2_000_000_000L);
        assertThat(arguments.target().toString()).isEqualTo("127.0.0.1:80");
    }

    @ParameterizedTest
    @ValueSource(strings = {"User=nobody", "Group=nogroup", "DynamicUser=yes", "LimitNOFILE=100", "Nice=5",
            "NoNewPrivileges=yes", "CapabilityBoundingSet=CAP_NET_RAW", "ExecStartPre=/bin/true",
            "ExecStop=/bin/true", "ExecStartPost=/bin/true", "Type=forking", "Type=oneshot", "WatchdogSec=5",
            "PIDFile=/run/x.pid", "KillMode=none", "StandardOutput=null", "StandardError=file:/tmp/x",
            "X-SockactHostProxy=no"})
    void settingsThatChangeTheProcessKeepIt(String setting) throws IOException {
        ServiceUnit unit = load("[Service]\nExecStart=" + OURS + " 127.0.0.1:80\n" + setting + "\n");
        assertThat(ProxyHosting.processSettings(unit)).as(setting).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "--version", "--listen=8080 127.0.0.1:80", "-c 0 127.0.0.1:80",
            "--bogus 127.0.0.1:80", "", "a b"})
    void commandLinesTheProcessTreatsDifferentlyAreSpawned(String arguments) throws IOException {
        ServiceUnit unit = load("[Service]\nExecStart=" + OURS + " " + arguments + "\n");
        assertThat(arguments(unit)).as(arguments).isEmpty();
    }

    @Test
    void systemdsBinaryWithOurOptionsIsSpawnedSoItFailsAsItWould() throws IOException {
        Path systemds = Path.of(ProxyHosting.SYSTEMD_PROXY.getFirst());
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(systemds), systemds + " not installed");
        assertThat(arguments(load("[Service]\nExecStart=" + systemds + " --exit-idle-time=1s 127.0.0.1:80\n")))
                .isPresent();
        assertThat(arguments(load("[Service]\nExecStart=" + systemds + " --connect-retry=1s 127.0.0.1:80\n")))
                .isEmpty();
    }

    @Test
    void privilegedPrefixesAndOtherProgramsAreSpawned() throws IOException {
        assertThat(arguments(load("[Service]\nExecStart=+" + OURS + " 127.0.0.1:80\n"))).isEmpty();
        assertThat(arguments(load("[Service]\nExecStart=-" + OURS + " 127.0.0.1:80\n"))).isPresent();
        assertThat(arguments(load("[Service]\nExecStart=/bin/cat 127.0.0.1:80\n"))).isEmpty();
        // A script that merely has the name is not ours.
        Path impostor = dir.resolve("socket-proxyd");
        Files.writeString(impostor, "#!/bin/sh\nexec cat\n");
        assertThat(impostor.toFile().setExecutable(true)).isTrue();
        assertThat(ProxyHosting.isSocketProxyd(impostor.toString())).isFalse();
        // A symlink to ours is ours.
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of(OURS));
        assertThat(ProxyHosting.isSocketProxyd(link.toString())).isTrue();
    }

    @Test
    void namespacesNarrowWhatIsHosted() throws IOException {
        ServiceUnit byName = load("[Service]\nExecStart=" + OURS + " localhost:80\n");
        assertThat(ProxyHosting.arguments(byName.execStart().getFirst(), Map.of(), true, false)).isEmpty();
        assertThat(ProxyHosting.arguments(byName.execStart().getFirst(), Map.of(), false, false)).isPresent();
        ServiceUnit inTmp = load("[Service]\nExecStart=" + OURS + " /tmp/app.sock\n");
        assertThat(ProxyHosting.arguments(inTmp.execStart().getFirst(), Map.of(), false, true)).isEmpty();
        assertThat(ProxyHosting.arguments(inTmp.execStart().getFirst(), Map.of(), false, false)).isPresent();
        ServiceUnit inRun = load("[Service]\nExecStart=" + OURS + " /run/app.sock\n");
        assertThat(ProxyHosting.arguments(inRun.execStart().getFirst(), Map.of(), true, true)).isPresent();
    }
}
