package dev.sockact.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed man pages are what the commands' definitions render today. */
class ManPagesTest {
    @Test
    void manPagesAreUpToDate() throws IOException {
        Map<String, String> pages = ManPages.render();
        assertThat(pages).containsOnlyKeys("socket-activate.1", "socket-proxyd.8", "sockactd.8", "sockctl.1");
        for (Map.Entry<String, String> page : pages.entrySet()) {
            Path file = Path.of("man", page.getKey());
            assertThat(file).as("run man/generate").exists();
            assertThat(Files.readString(file)).as("%s is stale: run man/generate", file).isEqualTo(page.getValue());
        }
    }

    @Test
    void everySockctlSubcommandHasItsUsageInThePage() {
        String page = ManPages.render().get("sockctl.1");
        for (String command : new String[] {"list", "status", "show", "cat", "start", "stop", "restart", "reload", "verify"}) {
            assertThat(page).contains("Usage: sockctl " + command);
        }
    }
}
