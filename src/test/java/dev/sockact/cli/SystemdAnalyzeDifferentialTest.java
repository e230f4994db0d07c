package dev.sockact.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs {@code systemd-analyze verify} and {@code sockctl verify} over the same fixtures (good and broken units, no
 * sockact extensions) and expects the same lines and the same verdict.
 */
class SystemdAnalyzeDifferentialTest {

    private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");
    private static final String FIXTURES = "/dev/sockact/unit/differential/";
    private static final List<String> FILES = List.of("good1.socket", "good1.service", "good2.socket",
            "good2@.service", "badvalues.socket", "badvalues.service", "fatal.socket", "header.socket",
            "nolisten.socket", "dgramaccept.socket", "acceptservice.socket", "syntax.socket", "syntax.service",
            "nosvc.socket", "badservice.socket", "badservice.service", "noexec.socket", "noexec.service",
            "symlinks.socket", "twostart.socket", "twostart.service", "conditions.socket", "conditions.service",
            "nobody.socket", "nobody.service");

    @TempDir
    static Path dir;

    @BeforeAll
    static void copyFixtures() throws IOException {
        for (String name : FILES) {
            try (InputStream in = SystemdAnalyzeDifferentialTest.class.getResourceAsStream(FIXTURES + name)) {
                Files.copy(in, dir.resolve(name));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"good1.socket", "good2.socket", "badvalues.socket", "fatal.socket", "header.socket",
        "nolisten.socket", "dgramaccept.socket", "acceptservice.socket", "syntax.socket", "nosvc.socket",
        "badservice.socket", "noexec.socket", "noexec.service", "symlinks.socket", "twostart.socket",
        "conditions.socket", "nobody.socket"})
    void sameLinesAndVerdictAsSystemdAnalyze(String fixture) throws Exception {
        assumeTrue(Files.isExecutable(SYSTEMD_ANALYZE), "systemd-analyze is not installed");
        Path file = dir.resolve(fixture);
        ProcessBuilder builder = new ProcessBuilder(SYSTEMD_ANALYZE.toString(), "verify", "--man=no", file.toString())
                .redirectErrorStream(true);
        builder.environment().put("SYSTEMD_LOG_LEVEL", "info");
        builder.environment().put("SYSTEMD_LOG_COLOR", "0");
        Process process = builder.start();
        String systemdOutput = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        int systemdStatus = process.exitValue();

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int sockactStatus = SockctlMain.run(new PrintWriter(out), new PrintWriter(err), "verify", file.toString());

        assertThat(lines(err.toString())).as("sockctl verify %s", fixture).isEqualTo(lines(systemdOutput));
        assertThat(sockactStatus).as("verdict for %s", fixture).isEqualTo(systemdStatus == 0 ? 0 : 1);
    }

    private static List<String> lines(String output) {
        return Arrays.stream(output.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
