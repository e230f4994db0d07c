package dev.sockact.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which units start with sockactd: all while enablement is not in use, else only the linked ones. */
class EnablementTest {
    @TempDir
    Path dir;

    @Test
    void everyUnitStartsWhileNothingWasEnabledOrDisabled() {
        Enablement enablement = new Enablement(List.of(dir));
        assertThat(enablement.inUse()).isFalse();
        assertThat(enablement.startsWithDaemon("a.socket")).isTrue();
    }

    @Test
    void onlyLinkedUnitsStartOnceALinkExists() throws Exception {
        Files.writeString(dir.resolve("a.socket"), "[Socket]\n");
        Path wants = Files.createDirectories(dir.resolve("sockets.target.wants"));
        Files.createSymbolicLink(wants.resolve("a.socket"), dir.resolve("a.socket"));
        Enablement enablement = new Enablement(List.of(dir));
        assertThat(enablement.inUse()).isTrue();
        assertThat(enablement.startsWithDaemon("a.socket")).isTrue();
        assertThat(enablement.startsWithDaemon("b.socket")).isFalse();
    }

    @Test
    void theMarkerAloneMeansNothingStarts() throws Exception {
        Files.writeString(dir.resolve(Enablement.MARKER), "");
        assertThat(new Enablement(List.of(dir)).startsWithDaemon("a.socket")).isFalse();
    }
}
