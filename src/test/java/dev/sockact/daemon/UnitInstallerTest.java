package dev.sockact.daemon;

import dev.sockact.unit.HostInfo;
import dev.sockact.unit.ManagerScope;
import dev.sockact.unit.load.UnitLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** enable/disable on real folders: systemd's links (compared with systemctl --root where installed), the marker rule. */
class UnitInstallerTest {
    @TempDir
    Path dir;

    private static void units(Path d) throws IOException {
        Files.createDirectories(d);
        Files.writeString(d.resolve("z.service"), "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target"
                + "\nRequiredBy=foo.target\nAlias=zz.service\nAlso=y.socket\n");
        Files.writeString(d.resolve("y.socket"), "[Socket]\nListenStream=1235\n[Install]\nWantedBy=sockets.target\n");
        Files.writeString(d.resolve("y.service"), "[Service]\nExecStart=/bin/true\n");
        Files.writeString(d.resolve("s.socket"), "[Socket]\nListenStream=1236\n");
    }

    private static UnitInstaller installer(Path... dirs) {
        return new UnitInstaller(List.of(dirs), new UnitLoader(List.of(dirs), HostInfo.current(ManagerScope.SYSTEM)));
    }

    /** Every symlink under {@code root}, relative, with its target's file name. */
    private static Map<String, String> links(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isSymbolicLink).toList()) {
                out.put(root.relativize(p).toString(), Files.readSymbolicLink(p).getFileName().toString());
            }
        }
        return out;
    }

    @Test
    void enableMakesSystemdsLinksAndDisableRemovesThem() throws Exception {
        Path ours = dir.resolve("ours");
        units(ours);
        UnitInstaller.Outcome enabled = installer(ours).enable(List.of("z.service"));
        assertThat(enabled.error()).isNull();
        assertThat(enabled.carriesInstallInfo()).isTrue();
        assertThat(enabled.markerCreated()).isEqualTo(ours);
        assertThat(enabled.changes()).first().isEqualTo(new UnitInstaller.Change("symlink", ours.resolve("zz.service"),
                ours.resolve("z.service")));
        assertThat(links(ours)).containsExactlyInAnyOrderEntriesOf(Map.of("zz.service", "z.service",
                "multi-user.target.wants/z.service", "z.service", "foo.target.requires/z.service", "z.service",
                "sockets.target.wants/y.socket", "y.socket"));
        assertThat(new Enablement(List.of(ours)).enabledUnits()).containsExactly("y.socket", "z.service");
        assertThat(installer(ours).enable(List.of("z.service")).changes()).isEmpty();

        UnitInstaller.Outcome disabled = installer(ours).disable(List.of("z.service"));
        assertThat(disabled.error()).isNull();
        assertThat(disabled.changes()).hasSize(4).allMatch(c -> c.type().equals("unlink"));
        assertThat(links(ours)).isEmpty();
        assertThat(ours.resolve("sockets.target.wants")).doesNotExist();
        // Nothing enabled any more, but the marker says enablement is in use.
        assertThat(new Enablement(List.of(ours)).inUse()).isTrue();
        assertThat(new Enablement(List.of(ours)).enabledUnits()).isEmpty();
    }

    @Test
    void sameLinksAsSystemctl() throws Exception {
        Path systemctl = Path.of("/usr/bin/systemctl");
        assumeTrue(Files.isExecutable(systemctl), "systemctl not installed");
        Path root = dir.resolve("root");
        Path theirs = root.resolve("etc/systemd/system");
        units(theirs);
        Process p = new ProcessBuilder(systemctl.toString(), "--root=" + root, "enable", "z.service")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Path ours = dir.resolve("ours");
        units(ours);
        installer(ours).enable(List.of("z.service"));
        assertThat(links(ours)).isEqualTo(links(theirs));
    }

    @Test
    void unknownStaticAndNothingEnabled() throws Exception {
        Path ours = dir.resolve("ours");
        units(ours);
        assertThat(new Enablement(List.of(ours)).inUse()).isFalse();
        assertThat(installer(ours).enable(List.of("nope.socket")).error())
                .isEqualTo("Failed to enable unit: Unit file nope.socket does not exist.");
        assertThat(installer(ours).disable(List.of("nope.socket")).error())
                .isEqualTo("Failed to disable unit: Unit file nope.socket does not exist.");
        UnitInstaller.Outcome noInstall = installer(ours).enable(List.of("s.socket"));
        assertThat(noInstall.error()).isNull();
        assertThat(noInstall.carriesInstallInfo()).isFalse();
        assertThat(noInstall.changes()).isEmpty();
        assertThat(new Enablement(List.of(ours)).inUse()).isFalse();
        assertThat(new Enablement(List.of(ours)).state("s.socket", false)).isEqualTo(Enablement.State.STATIC);
        assertThat(new Enablement(List.of(ours)).state("y.socket", true)).isEqualTo(Enablement.State.DISABLED);
    }

    @Test
    void aLinkToAnotherFileIsNotReplaced() throws Exception {
        Path ours = dir.resolve("ours");
        units(ours);
        Files.createSymbolicLink(ours.resolve("zz.service"), ours.resolve("y.service"));
        UnitInstaller.Outcome outcome = installer(ours).enable(List.of("z.service"));
        assertThat(outcome.error()).isEqualTo("Failed to enable unit: File " + ours.resolve("zz.service")
                + " already exists and is a symlink to " + ours.resolve("y.service") + ".");
    }
}
