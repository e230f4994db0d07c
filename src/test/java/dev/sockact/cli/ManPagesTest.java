package dev.sockact.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed man pages are what the commands' definitions render today, and their ENVIRONMENT is true. */
class ManPagesTest {
    private static final Map<String, String> LAUNCHERS = Map.of(
            "socket-activate.1", "socket-activate", "socket-proxyd.8", "socket-proxyd",
            "sockactd.8", "sockactd", "sockctl.1", "sockctl");

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

    /** The JVM options a page quotes are the ones its launcher in bin/ passes, so the two cannot drift apart. */
    @Test
    void eachPageQuotesItsLaunchersJvmOptions() throws IOException {
        String launchDefault = optionLine(Files.readString(Path.of("bin/lib/launch.sh")),
                "\\$\\{SOCKACT_DEFAULT_JVM_OPTS:-([^}]*)\\}");
        for (Map.Entry<String, String> page : ManPages.render().entrySet()) {
            String launcher = Files.readString(Path.of("bin", LAUNCHERS.get(page.getKey())));
            String defaults = launcher.contains("SOCKACT_DEFAULT_JVM_OPTS=")
                    ? optionLine(launcher, "(?m)^SOCKACT_DEFAULT_JVM_OPTS=\"([^\"]*)\"$")
                    : launchDefault;
            String environment = environmentSection(page.getValue());
            assertThat(environment).as(page.getKey()).contains(defaults);
            if (launcher.contains("SOCKACT_EXIT_IDLE_JVM_OPTS=")) {
                assertThat(environment).as(page.getKey())
                        .contains(optionLine(launcher, "(?m)^SOCKACT_EXIT_IDLE_JVM_OPTS=\"([^\"]*)\"$"));
            }
        }
    }

    /** Every variable a page names is read somewhere: by the code (not the pages' own text), or by bin/. */
    @Test
    void everyVariableNamedIsReadByTheCodeOrALauncher() throws IOException {
        String sources = readAll(Path.of("src/main/java")) + readAll(Path.of("bin"));
        for (Map.Entry<String, String> page : ManPages.render().entrySet()) {
            List<String> names = variables(environmentSection(page.getValue()));
            assertThat(names).as(page.getKey()).isNotEmpty();
            for (String name : names) {
                assertThat(sources).as("%s names %s", page.getKey(), name).contains(name);
            }
        }
    }

    private static String optionLine(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as(regex).isTrue();
        return matcher.group(1);
    }

    private static String environmentSection(String page) {
        int start = page.indexOf(".SH ENVIRONMENT\n");
        assertThat(start).as("an ENVIRONMENT section").isNotNegative();
        return page.substring(start, page.indexOf(".SH ", start + 1));
    }

    /** The names on each ".B" line of a section: "NAME, NAME". */
    private static List<String> variables(String section) {
        List<String> names = new ArrayList<>();
        for (String line : section.lines().toList()) {
            if (line.startsWith(".B ")) {
                for (String name : line.substring(3).split(",\\s*")) {
                    names.add(name.strip());
                }
            }
        }
        return names;
    }

    private static String readAll(Path root) throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".class"))
                    .filter(f -> !f.getFileName().toString().equals("ManPages.java")).forEach(f -> {
                try {
                    text.append(Files.readString(f)).append('\n');
                } catch (java.nio.charset.MalformedInputException binary) {
                    // a compiled helper, not a source
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return text.toString();
    }
}
